//! VEX statements of an organisation: recorded by hand or imported from OpenVEX and
//! CycloneDX VEX documents, exported as either. Recording or deleting statements
//! reconciles the organisation's findings at once: `not_affected` closes a finding as
//! not affected, `fixed` as fixed, `affected` and `under_investigation` annotate it.

use ch_store::exposure::{self as db, VexRow};
use ch_vex::{VexDocument, VexStatement};

use crate::{Error, Exposure, Result};

/// The document formats statements come in and go out as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VexFormat {
    /// OpenVEX (0.0.x and 0.2.0 read, 0.2.0 written).
    OpenVex,
    /// CycloneDX 1.4-1.6 VEX (1.6 written).
    CycloneDx,
}

impl std::str::FromStr for VexFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openvex" => Ok(VexFormat::OpenVex),
            "cyclonedx" | "cdx" => Ok(VexFormat::CycloneDx),
            other => Err(Error::Invalid(format!("format: expected openvex or cyclonedx, found {other:?}"))),
        }
    }
}

/// Reads a VEX document, detecting OpenVEX (`@context`) or CycloneDX (`bomFormat`).
pub fn read_document(bytes: &[u8]) -> Result<(VexFormat, VexDocument)> {
    let head: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Error::Vex(format!("VEX document: not JSON: {e}")))?;
    if head.get("@context").is_some() {
        ch_vex::openvex::parse(bytes).map(|d| (VexFormat::OpenVex, d)).map_err(|e| Error::Vex(e.to_string()))
    } else if head.get("bomFormat").is_some() {
        ch_vex::cyclonedx::parse(bytes).map(|d| (VexFormat::CycloneDx, d)).map_err(|e| Error::Vex(e.to_string()))
    } else {
        Err(Error::Vex("VEX document: expected OpenVEX (with @context) or CycloneDX (with bomFormat)".into()))
    }
}

impl Exposure {
    /// Records statements for `org` (checked against the OpenVEX rules first: a
    /// `not_affected` needs a justification or an impact statement, an `affected` an action
    /// statement) and reconciles the organisation's findings, in one transaction.
    pub async fn record_vex(
        &self,
        org: &str,
        statements: Vec<VexStatement>,
        source: &str,
        by: Option<&str>,
    ) -> Result<Vec<VexRow>> {
        if statements.is_empty() {
            return Err(Error::Vex("no statements given".into()));
        }
        let check = VexDocument {
            id: "https://clearinghouse.invalid/vex/check".into(),
            author: "check".into(),
            role: None,
            timestamp: None,
            version: None,
            statements: statements.clone(),
        };
        check.check().map_err(|e| Error::Vex(e.to_string()))?;
        for (i, s) in statements.iter().enumerate() {
            if s.products.is_empty() {
                return Err(Error::Vex(format!("/statements/{i}/products: expected at least one product, found none")));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut rows = Vec::new();
        for s in statements {
            let row = VexRow {
                id: uuid::Uuid::now_v7().to_string(),
                org_id: org.to_owned(),
                vulnerability: s.vulnerability.id.clone(),
                status: s.status.as_str().to_owned(),
                statement: serde_json::to_string(&s).map_err(|e| Error::Vex(e.to_string()))?,
                source: source.to_owned(),
                created_by: by.map(str::to_owned),
                created_at: now,
            };
            db::insert_vex(&mut tx, &row).await?;
            rows.push(row);
        }
        self.rematch_org(&mut tx, org).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Imports a whole OpenVEX or CycloneDX VEX document's statements.
    pub async fn import_vex(&self, org: &str, bytes: &[u8], by: Option<&str>) -> Result<Vec<VexRow>> {
        let (format, doc) = read_document(bytes)?;
        let source = match format {
            VexFormat::OpenVex => format!("openvex:{}", doc.id),
            VexFormat::CycloneDx => format!("cyclonedx:{}", doc.id),
        };
        self.record_vex(org, doc.statements, &source, by).await
    }

    /// Deletes a statement and reconciles the organisation's findings.
    pub async fn delete_vex(&self, org: &str, id: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        db::delete_vex(&mut tx, org, id).await.map_err(|e| match e {
            ch_store::Error::NotFound(_) => Error::NotFound("VEX statement"),
            other => Error::Store(other),
        })?;
        self.rematch_org(&mut tx, org).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's statements.
    pub async fn list_vex(&self, org: &str) -> Result<Vec<(VexRow, VexStatement)>> {
        let mut c = self.store.conn().await?;
        let rows = db::list_vex(&mut c, org).await?;
        Ok(rows.into_iter().filter_map(|r| serde_json::from_str(&r.statement).ok().map(|s| (r, s))).collect())
    }

    /// The organisation's statements as one document (`author` and `id` as given).
    pub async fn export_vex(&self, org: &str, author: &str, format: VexFormat) -> Result<String> {
        let statements: Vec<VexStatement> = self.list_vex(org).await?.into_iter().map(|(_, s)| s).collect();
        if statements.is_empty() {
            return Err(Error::NotFound("VEX statements to export"));
        }
        let now = jiff::Timestamp::from_millisecond(self.now()).map_err(|e| Error::Vex(e.to_string()))?;
        let doc = VexDocument {
            id: match format {
                VexFormat::OpenVex => format!("https://clearinghouse.invalid/vex/{org}/{}", self.now()),
                VexFormat::CycloneDx => format!("urn:uuid:{}", uuid::Uuid::now_v7()),
            },
            author: author.to_owned(),
            role: Some("operator".into()),
            timestamp: Some(now),
            version: Some(1),
            statements,
        };
        match format {
            VexFormat::OpenVex => ch_vex::openvex::emit(&doc),
            VexFormat::CycloneDx => ch_vex::cyclonedx::emit(&doc),
        }
        .map_err(|e| Error::Vex(e.to_string()))
    }

    /// Reconciles the organisation's findings after its statements changed; for a vendor,
    /// also every organisation's findings its statements can be about.
    async fn rematch_org(&self, tx: &mut ch_store::Tx, org: &str) -> Result<()> {
        let mut assets = db::list_assets(tx, org).await?;
        if db::is_vendor(tx, org).await? {
            let mut ids: Vec<String> = Vec::new();
            for (_, s) in self.list_vex_in(tx, org).await? {
                ids.push(s.vulnerability.id.clone());
                ids.extend(s.vulnerability.aliases.iter().cloned());
            }
            // Findings are keyed by the flaw's primary id: widen to every id of each flaw.
            {
                let index = self.kb.index();
                let flaws: Vec<String> = ids.iter().filter_map(|i| index.flaw(i)).flat_map(|f| f.ids).collect();
                ids.extend(flaws);
            }
            ids.sort();
            ids.dedup();
            let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let mut asset_ids: Vec<String> =
                db::findings_by_flaw(tx, &id_refs).await?.into_iter().map(|f| f.asset_id).collect();
            asset_ids.sort();
            asset_ids.dedup();
            let refs: Vec<&str> = asset_ids.iter().map(String::as_str).collect();
            assets.extend(db::assets_by_ids(tx, &refs).await?.into_iter().filter(|a| a.org_id != org));
        }
        let mut by_org: std::collections::BTreeMap<String, Vec<crate::notify::NewFinding>> = Default::default();
        for asset in assets {
            let mut news = Vec::new();
            self.rematch_asset(tx, &asset, &mut news).await?;
            by_org.entry(asset.org_id.clone()).or_default().extend(news);
        }
        for (o, news) in by_org {
            crate::notify::announce(self, tx, &o, news, self.now()).await?;
        }
        Ok(())
    }

    async fn list_vex_in(&self, tx: &mut ch_store::Tx, org: &str) -> Result<Vec<(VexRow, VexStatement)>> {
        Ok(db::list_vex(tx, org)
            .await?
            .into_iter()
            .filter_map(|r| serde_json::from_str(&r.statement).ok().map(|s| (r, s)))
            .collect())
    }
}

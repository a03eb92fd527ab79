//! The demo world behind `serve --demo`: the clearinghouse, a rural hospital and a
//! community bank (operators), a vendor, an AI developer and an agency, with one person
//! each. Seeding is idempotent; every start gives the demo people fresh random passwords,
//! printed once, so no fixed password ever ships. Later capabilities add their demo data
//! here.

use ch_domain::{OrgKind, Role, Sector};
use ch_identity::Identity;
use ch_store::audit::Who;
use ch_store::identity as repo;

/// One demo account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Organisation name.
    pub org: String,
    /// Role.
    pub role: Role,
    /// Sign-in address.
    pub email: String,
    /// Password for this run.
    pub password: String,
}

/// One demo person: (organisation, kind, sector, person, e-mail, role).
pub type DemoPerson = (&'static str, OrgKind, Option<Sector>, &'static str, &'static str, Role);

/// The demo organisations and people.
pub const DEMO: &[DemoPerson] = &[
    ("Clearinghouse", OrgKind::Clearinghouse, None, "Ada Admin", "admin@clearinghouse.example", Role::Admin),
    ("Clearinghouse", OrgKind::Clearinghouse, None, "Andy Analyst", "analyst@clearinghouse.example", Role::Analyst),
    (
        "Prairie County Hospital",
        OrgKind::Operator,
        Some(Sector::Healthcare),
        "Olivia Ortiz",
        "it@prairie-hospital.example",
        Role::Operator,
    ),
    (
        "First Community Bank",
        OrgKind::Operator,
        Some(Sector::Finance),
        "Omar Okafor",
        "it@firstcommunity-bank.example",
        Role::Operator,
    ),
    ("Northwind Networks", OrgKind::Vendor, None, "Vera Vance", "psirt@northwind.example", Role::Vendor),
    ("Frontier Labs", OrgKind::AiDeveloper, None, "Dev Desai", "safety@frontier-labs.example", Role::AiDeveloper),
    ("Department of Homeland Security", OrgKind::Agency, None, "Rita Reyes", "reviewer@dhs.example", Role::Reviewer),
];

/// Seeds (or refreshes) the demo world and returns the accounts with this run's passwords.
pub async fn seed(identity: &Identity, now_ms: i64) -> Result<Vec<DemoAccount>, ch_identity::Error> {
    let who = Who::system();
    let mut out = Vec::new();
    for (org_name, kind, sector, person, email, role) in DEMO {
        let mut c = identity.store().conn().await?;
        let org = match repo::find_org_by_name(&mut c, org_name).await? {
            Some(o) => o,
            None => {
                drop(c);
                identity.create_org(&who, now_ms, org_name, *kind, *sector).await?
            }
        };
        let mut c = identity.store().conn().await?;
        let password = ch_identity::generate_password()?;
        match repo::find_user_by_email(&mut c, email).await? {
            Some(u) => {
                drop(c);
                identity.set_password(&who, now_ms, u.id, &password).await?;
                if u.disabled {
                    identity.set_disabled(&who, now_ms, u.id, false).await?;
                }
            }
            None => {
                drop(c);
                identity.create_user(&who, now_ms, org.id, email, person, *role, Some(&password)).await?;
            }
        }
        out.push(DemoAccount { org: org_name.to_string(), role: *role, email: email.to_string(), password });
    }
    Ok(out)
}

/// One demo asset: (organisation, name, criticality, owner, inventory file name, where the
/// inventory comes from).
pub type DemoAsset = (&'static str, &'static str, ch_exposure::Criticality, &'static str, &'static str, DemoInventory);

/// Where a demo asset's inventory comes from.
#[derive(Debug, Clone, Copy)]
pub enum DemoInventory {
    /// A file of the shared public data (a real SBOM), relative to its root.
    Shared(&'static str),
    /// A product list kept by the IT person, as written here.
    Text(&'static str),
}

const HOSPITAL_EDGE: &str = "Vendor,Product,Version\n\
Fortinet,FortiOS,7.2.4\n\
Citrix,NetScaler Gateway,13.1-48.47\n";
const HOSPITAL_MFT: &str = "Vendor,Product,Version\nProgress,MOVEit Transfer,2023.0.0\n";
const BANK_EDGE: &str = "Vendor,Product,Version\n\
Fortinet,FortiOS,7.0.11\n\
Citrix,NetScaler ADC,13.1-48.47\n";
const BANK_MFT: &str = "Vendor,Product,Version\nFortra,GoAnywhere Managed File Transfer,7.1.1\n";

/// The demo operators' assets: a real SBOM each, and the appliances small organisations
/// mostly run (a firewall, a VPN gateway, a file-transfer server) as product lists.
pub const DEMO_ASSETS: &[DemoAsset] = &[
    (
        "Prairie County Hospital",
        "Patient portal",
        ch_exposure::Criticality::Critical,
        "Olivia Ortiz",
        "bom.1.4.json",
        DemoInventory::Shared("sbom/cyclonedx/bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.4.json"),
    ),
    (
        "Prairie County Hospital",
        "Firewall and VPN gateway",
        ch_exposure::Criticality::Critical,
        "Olivia Ortiz",
        "products.csv",
        DemoInventory::Text(HOSPITAL_EDGE),
    ),
    (
        "Prairie County Hospital",
        "Imaging file transfer",
        ch_exposure::Criticality::High,
        "Radiology IT",
        "products.csv",
        DemoInventory::Text(HOSPITAL_MFT),
    ),
    (
        "First Community Bank",
        "Online banking",
        ch_exposure::Criticality::Critical,
        "Omar Okafor",
        "bom.1.4.json",
        DemoInventory::Shared("sbom/cyclonedx/bom-examples/SBOM/laravel-7.12.0/bom.1.4.json"),
    ),
    (
        "First Community Bank",
        "Branch firewall and VPN",
        ch_exposure::Criticality::High,
        "Omar Okafor",
        "products.csv",
        DemoInventory::Text(BANK_EDGE),
    ),
    (
        "First Community Bank",
        "Statement file transfer",
        ch_exposure::Criticality::High,
        "Omar Okafor",
        "products.csv",
        DemoInventory::Text(BANK_MFT),
    ),
];

/// Gives the demo operators their assets, once (an organisation that has assets is left
/// alone). Inventories are matched at once against what the knowledge base holds, and
/// again as advisories arrive, so findings appear while the demo's import runs. Returns
/// how many assets were made; a missing shared file skips that asset with a warning.
pub async fn seed_exposure(
    identity: &Identity,
    exposure: &ch_exposure::Exposure,
    shared_data: Option<&std::path::Path>,
) -> Result<usize, ch_exposure::Error> {
    let mut made = 0;
    for (org_name, name, criticality, owner, file_name, inventory) in DEMO_ASSETS {
        let mut c = identity.store().conn().await?;
        let Some(org) = repo::find_org_by_name(&mut c, org_name).await? else { continue };
        let org_id = org.id.to_string();
        if ch_store::exposure::asset_by_name(&mut c, &org_id, name).await?.is_some() {
            continue;
        }
        drop(c);
        let bytes = match inventory {
            DemoInventory::Text(t) => t.as_bytes().to_vec(),
            DemoInventory::Shared(rel) => {
                let Some(path) = shared_data.map(|d| d.join(rel)).filter(|p| p.exists()) else {
                    tracing::warn!(asset = name, file = rel, "demo: shared SBOM not found; asset skipped");
                    continue;
                };
                std::fs::read(&path).map_err(|e| ch_exposure::Error::Inventory(format!("{}: {e}", path.display())))?
            }
        };
        let asset = exposure.create_asset(&org_id, name, *criticality, Some(owner), None).await?;
        exposure.upload(&asset, file_name, bytes, None, None).await?;
        made += 1;
    }
    Ok(made)
}

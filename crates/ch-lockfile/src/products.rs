//! Product lists: the spreadsheet an IT person keeps of commercial software
//! (vendor, product, version, or a CPE 2.3 name), as CSV or JSON.
//!
//! CSV: `,` `;` or tab separated (detected from the first line), a UTF-8 BOM
//! is ignored, quoted fields may contain separators and doubled quotes.
//! With a header row, columns are found by name, tolerating variants
//! (`Vendor`/`Manufacturer`/`Publisher`, `Product Name`/`Software`,
//! `Version`/`Product Version`, `CPE`/`CPE 2.3`, `Ecosystem`, `Package`);
//! extra columns are ignored. Without a header, a row is read by shape:
//! a CPE in any column; `ecosystem,,name,version` (the osv-scanner CSV
//! layout, first field an OSV ecosystem or empty); otherwise
//! `vendor,product,version`.
//!
//! JSON: an array of row objects, or an object with one array field
//! (`products`, `software`, `components`, ...); keys as the CSV headers.

use ch_inventory::{Component, Error, Format, Inventory, Origin, WarningKind, purl_for};
use serde_json::Value;

use crate::util::{Ctx, kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Vendor,
    Product,
    Version,
    Cpe,
    Ecosystem,
    Package,
    Ignore,
}

fn column_of(header: &str) -> Col {
    let h: String = header.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    match h.as_str() {
        "vendor" | "vendorname" | "manufacturer" | "publisher" | "supplier" | "company" | "developer" | "maker" => {
            Col::Vendor
        }
        "product" | "productname" | "software" | "softwarename" | "application" | "applicationname" | "title"
        | "program" | "displayname" => Col::Product,
        "version" | "productversion" | "softwareversion" | "ver" | "release" | "installedversion"
        | "displayversion" | "versionnumber" => Col::Version,
        "cpe" | "cpe23" | "cpename" | "cpe23uri" | "cpeuri" | "cpe22" | "cpeid" => Col::Cpe,
        "ecosystem" | "packagemanager" | "type" => Col::Ecosystem,
        "package" | "packagename" | "name" | "component" | "componentname" | "library" => Col::Package,
        _ => Col::Ignore,
    }
}

const ECOSYSTEMS: &[&str] = &[
    "npm",
    "PyPI",
    "Maven",
    "crates.io",
    "Go",
    "RubyGems",
    "Packagist",
    "NuGet",
    "Pub",
    "Hex",
    "CRAN",
    "Bioconductor",
    "ConanCenter",
    "Debian",
    "Ubuntu",
    "Alpine",
    "Hackage",
    "SwiftURL",
    "GitHub Actions",
    "Linux",
    "Android",
    "OSS-Fuzz",
];

fn is_ecosystem(s: &str) -> bool {
    let base = s.split(':').next().unwrap_or(s);
    ECOSYSTEMS.iter().any(|e| e.eq_ignore_ascii_case(base))
}

/// A CSV record: the line it starts on and its fields.
type Record = (usize, Vec<String>);

/// Split CSV text into non-blank records (quoted fields may span lines).
/// An unclosed quote is reported as the (line, column) where it opened.
fn csv_records(text: &str, sep: char) -> Result<Vec<Record>, (usize, usize)> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut quote_start = (1, 1);
    let mut col = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        col += 1;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    col = 0;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                in_quotes = true;
                quote_start = (line, col);
            }
            '\r' => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                if fields.iter().any(|f| !f.trim().is_empty()) {
                    out.push((record_line, std::mem::take(&mut fields)));
                }
                fields.clear();
                line += 1;
                col = 0;
                record_line = line;
            }
            c if c == sep => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(quote_start);
    }
    fields.push(field);
    if fields.iter().any(|f| !f.trim().is_empty()) {
        out.push((record_line, fields));
    }
    Ok(out)
}

/// Read a CSV product list.
pub fn read_product_csv(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::ProductCsv);
    let text = ctx.text_non_empty(bytes)?;
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let sep = [',', ';', '\t']
        .into_iter()
        .max_by_key(|s| first.matches(*s).count())
        .filter(|s| first.contains(*s))
        .unwrap_or(',');
    let records = csv_records(text, sep)
        .map_err(|(l, c)| ctx.at(l, c, "a closing `\"` for this quoted field", "end of input"))?;
    let mut inv = Inventory::new(ctx.format, file);
    let mut columns: Option<Vec<Col>> = None;
    for (idx, (line, fields)) in records.iter().enumerate() {
        let fields: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
        if idx == 0 {
            let cols: Vec<Col> = fields.iter().map(|f| column_of(f)).collect();
            let named = cols.iter().filter(|c| **c != Col::Ignore).count();
            if named >= 2 || named >= 1 && cols.contains(&Col::Cpe) {
                columns = Some(cols);
                continue;
            }
        }
        let origin = ctx.origin_line(*line);
        let row = match &columns {
            Some(cols) => {
                let get = |want: Col| {
                    cols.iter().zip(&fields).find(|(c, f)| **c == want && !f.is_empty()).map(|(_, f)| (*f).to_owned())
                };
                Row {
                    vendor: get(Col::Vendor),
                    product: get(Col::Product),
                    version: get(Col::Version),
                    cpe: get(Col::Cpe),
                    ecosystem: get(Col::Ecosystem),
                    package: get(Col::Package),
                }
            }
            None => row_by_shape(&ctx, &fields, *line)?,
        };
        push_row(&ctx, &mut inv, row, origin);
    }
    Ok(inv.finish())
}

fn row_by_shape(ctx: &Ctx<'_>, fields: &[&str], line: usize) -> Result<Row, Error> {
    let cpe = fields.iter().find(|f| f.starts_with("cpe:")).map(|f| (*f).to_owned());
    if cpe.is_some() {
        return Ok(Row { cpe, ..Row::default() });
    }
    let first = fields.first().copied().unwrap_or("");
    match fields {
        [eco, _compare, name, rest @ ..] if (eco.is_empty() || is_ecosystem(eco)) && !name.is_empty() => Ok(Row {
            ecosystem: (!eco.is_empty()).then(|| (*eco).to_owned()),
            package: Some((*name).to_owned()),
            version: rest.first().filter(|v| !v.is_empty()).map(|v| (*v).to_owned()),
            ..Row::default()
        }),
        [vendor, product, version, ..] => Ok(Row {
            vendor: (!vendor.is_empty()).then(|| (*vendor).to_owned()),
            product: (!product.is_empty()).then(|| (*product).to_owned()),
            version: (!version.is_empty()).then(|| (*version).to_owned()),
            ..Row::default()
        }),
        [vendor, product] => {
            Ok(Row { vendor: Some((*vendor).to_owned()), product: Some((*product).to_owned()), ..Row::default() })
        }
        _ => Err(ctx.at(
            line,
            1,
            "a row `vendor,product,version` or a CPE 2.3 name",
            format!("`{}`", first.chars().take(40).collect::<String>()),
        )),
    }
}

#[derive(Debug, Default)]
struct Row {
    vendor: Option<String>,
    product: Option<String>,
    version: Option<String>,
    cpe: Option<String>,
    ecosystem: Option<String>,
    package: Option<String>,
}

/// Unbind a CPE 2.3 formatted string component (`\:` escapes, `*`/`-` empty).
fn cpe_part(s: &str) -> Option<String> {
    match s {
        "" | "*" | "-" => None,
        _ => Some(s.replace("\\:", ":").replace('\\', "").replace('_', " ")),
    }
}

/// Split a CPE 2.3 formatted string on unescaped `:`.
fn cpe_fields(cpe: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in cpe.chars() {
        if escaped {
            cur.push('\\');
            cur.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ':' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn push_row(ctx: &Ctx<'_>, inv: &mut Inventory, row: Row, origin: Origin) {
    if let Some(cpe) = row.cpe {
        let f = cpe_fields(&cpe);
        let (vendor, product, version) = if cpe.starts_with("cpe:2.3:") {
            (f.get(3), f.get(4), f.get(5))
        } else {
            // CPE 2.2 URI: cpe:/a:vendor:product:version
            (f.get(2), f.get(3), f.get(4))
        };
        let vendor = vendor.and_then(|v| cpe_part(v)).or(row.vendor);
        let product = product.and_then(|p| cpe_part(p)).or(row.product);
        let Some(product) = product else {
            inv.warn(WarningKind::Skipped, format!("CPE `{cpe}` names no product"), Some(origin));
            return;
        };
        let version = version.and_then(|v| cpe_part(v).map(|_| v.replace('\\', ""))).or(row.version);
        inv.components.push(Component {
            name: product.clone(),
            version,
            cpe: Some(cpe),
            vendor,
            product: Some(product),
            origin,
            ..Component::default()
        });
        return;
    }
    let package_row = row.product.is_none() || row.ecosystem.is_some();
    if let Some(package) = row.package.clone().filter(|_| package_row) {
        let eco = row.ecosystem.filter(|e| !e.is_empty());
        let commit = row.version.as_deref().is_some_and(|v| v.len() == 40 && v.chars().all(|c| c.is_ascii_hexdigit()));
        if commit {
            inv.warn(
                WarningKind::Other,
                format!("{package}: `{}` is a commit, kept without a version", row.version.as_deref().unwrap_or("")),
                Some(origin.clone()),
            );
        }
        let version = if commit { None } else { row.version };
        if version.is_none() && !commit {
            inv.warn(WarningKind::Unpinned, format!("{package} has no version"), Some(origin.clone()));
        }
        let mut c = Component::new(&package, version.clone(), eco.as_deref(), origin);
        c.purl = eco.as_deref().and_then(|e| purl_for(e, &package, version.as_deref()));
        c.vendor = row.vendor;
        inv.components.push(c);
        return;
    }
    let Some(product) = row.product.or(row.package) else {
        inv.warn(WarningKind::Skipped, "row without a product name", Some(origin));
        return;
    };
    if row.version.is_none() {
        inv.warn(WarningKind::Unpinned, format!("{product} has no version"), Some(origin.clone()));
    }
    let _ = ctx;
    inv.components.push(Component {
        name: product.clone(),
        version: row.version,
        vendor: row.vendor,
        product: Some(product),
        origin,
        ..Component::default()
    });
}

/// Read a JSON product list.
pub fn read_product_json(bytes: &[u8], file: &str) -> Result<Inventory, Error> {
    let ctx = Ctx::new(file, Format::ProductJson);
    let doc = ctx.json(bytes)?;
    let (rows, base) = match &doc {
        Value::Array(a) => (a, String::new()),
        Value::Object(m) => match m.iter().find(|(_, v)| v.is_array()) {
            Some((k, Value::Array(a))) => (a, format!("/{k}")),
            _ => {
                return Err(ctx.ptr("", "an array of products, or an object with one", "an object without an array"));
            }
        },
        other => return Err(ctx.ptr("", "an array of products", kind(other))),
    };
    let mut inv = Inventory::new(ctx.format, file);
    for (i, row) in rows.iter().enumerate() {
        let pointer = format!("{base}/{i}");
        let origin = ctx.origin_ptr(&pointer);
        let parsed = match row {
            Value::String(s) if s.starts_with("cpe:") => Row { cpe: Some(s.clone()), ..Row::default() },
            Value::Object(m) => {
                let mut r = Row::default();
                for (k, v) in m {
                    let text = match v {
                        Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
                        Value::Number(n) => n.to_string(),
                        _ => continue,
                    };
                    let slot = match column_of(k) {
                        Col::Vendor => &mut r.vendor,
                        Col::Product => &mut r.product,
                        Col::Version => &mut r.version,
                        Col::Cpe => &mut r.cpe,
                        Col::Ecosystem => &mut r.ecosystem,
                        Col::Package => &mut r.package,
                        Col::Ignore => continue,
                    };
                    slot.get_or_insert(text);
                }
                r
            }
            other => return Err(ctx.ptr(&pointer, "a product object or CPE string", kind(other))),
        };
        push_row(&ctx, &mut inv, parsed, origin);
    }
    Ok(inv.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_variants() {
        let csv = "\u{feff}\"Vendor\";\"Product Name\";\"Version\";\"Location\"\nMicrosoft;Exchange Server;15.2.1118.7;Server room\n\"Fortinet, Inc.\";FortiOS;7.2.4;\n";
        let inv = read_product_csv(csv.as_bytes(), "software.csv").expect("csv");
        let got: Vec<_> =
            inv.components.iter().map(|c| (c.vendor.as_deref(), c.name.as_str(), c.version.as_deref())).collect();
        assert_eq!(
            got,
            [
                (Some("Microsoft"), "Exchange Server", Some("15.2.1118.7")),
                (Some("Fortinet, Inc."), "FortiOS", Some("7.2.4")),
            ]
        );
        let inv =
            read_product_csv(b"cpe:2.3:a:progress:moveit_transfer:2023.0.1:*:*:*:*:*:*:*\n", "x.csv").expect("cpe");
        let c = &inv.components[0];
        assert_eq!(
            (c.vendor.as_deref(), c.name.as_str(), c.version.as_deref()),
            (Some("progress"), "moveit transfer", Some("2023.0.1"))
        );
        let inv = read_product_json(br#"{"software": [{"Manufacturer": "Citrix", "Software": "NetScaler ADC", "Product Version": "13.1-49.13"}]}"#, "x.json").expect("json");
        assert_eq!(inv.components[0].name, "NetScaler ADC");
        assert_eq!(inv.components[0].origin.pointer.as_deref(), Some("/software/0"));
        let e = read_product_csv(b"a,\"b\n", "x.csv").expect_err("quote");
        assert_eq!(e.to_string(), "x.csv:1:3: expected a closing `\"` for this quoted field, found end of input");
    }
}

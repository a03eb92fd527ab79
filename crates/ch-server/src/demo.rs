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

//! The one authorisation function of Clearinghouse.
//!
//! Every handler asks [`authorize`] before it reads or writes anything, and acts only on
//! [`Decision::Allow`]. The function is pure (no IO): it sees the [`Actor`] (who, from which
//! organisation, with which role and token scopes), the [`Action`] and the [`Resource`]
//! (which carries the owning organisation of the object), and nothing else. Anything not
//! allowed by an explicit arm below is refused: deny by default.
//!
//! Later capabilities add their resources (cases, models, collections) here, so the whole
//! access model stays readable in one file.
//!
//! ```
//! use ch_domain::*;
//! use ch_policy::*;
//! let org = OrgId(uuid::Uuid::nil());
//! let actor = Actor { user_id: UserId(uuid::Uuid::nil()), org_id: org, org_kind: OrgKind::Operator,
//!     role: Role::Operator, scopes: Scopes::all(), method: AuthMethod::Session, token: None };
//! assert_eq!(authorize(Some(&actor), Action::Read, &Resource::Organisation(org)), Decision::Allow);
//! let other = OrgId(uuid::Uuid::max());
//! assert!(matches!(authorize(Some(&actor), Action::Read, &Resource::Organisation(other)), Decision::Refuse(_)));
//! ```
#![warn(missing_docs)]

use ch_domain::{Actor, OrgId, Role, Scope, UserId};

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read one object.
    Read,
    /// List objects of a kind.
    List,
    /// Create an object.
    Create,
    /// Change an object.
    Update,
    /// Delete, revoke or disable an object.
    Delete,
}

impl Action {
    fn needed_scope(self) -> Scope {
        match self {
            Action::Read | Action::List => Scope::Read,
            Action::Create | Action::Update | Action::Delete => Scope::Write,
        }
    }
}

/// What the action is done to, with the organisation that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// The list of all organisations, or creating one.
    Organisations,
    /// One organisation.
    Organisation(OrgId),
    /// The people of an organisation (list or create).
    Users(OrgId),
    /// Every person of every organisation (administrators).
    AllUsers,
    /// One person.
    User {
        /// Their organisation.
        org: OrgId,
        /// The person.
        user: UserId,
    },
    /// API tokens owned by a person (list, create, revoke).
    Tokens {
        /// The owner's organisation.
        org: OrgId,
        /// The owner.
        owner: UserId,
    },
    /// The audit log (confidential: admins only).
    AuditLog,
    /// The background job table.
    Jobs,
    /// Key management (rotation, status).
    Keys,
    /// The caller's own identity (`/api/v1/me`).
    OwnIdentity,
    /// The knowledge base of public advisories (OSV, CVE, KEV and published cases). `open`
    /// when the instance lets anyone read it, as the public OSV API does; otherwise any
    /// signed-in person may.
    KnowledgeBase {
        /// Anonymous reads allowed.
        open: bool,
    },
    /// Importing into the knowledge base and its configured sources (analysts,
    /// administrators).
    KnowledgeSources,
    /// An organisation's exposure data: assets, inventories, findings, VEX statements,
    /// notifications and their settings. Need to know: only the organisation's own people,
    /// never analysts, and administrators only of their own organisation (running the
    /// instance does not entitle anyone to read what a hospital runs unpatched).
    Exposure(OrgId),
}

/// Why a request was refused. Stable, so the server can map it to a status and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No one is signed in.
    Unauthenticated,
    /// The token lacks the scope the action needs.
    MissingScope(Scope),
    /// The object belongs to another organisation, or the role may not do this.
    NotPermitted,
}

/// The outcome of [`authorize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Do not; say why.
    Refuse(Reason),
}

impl Decision {
    /// `true` for [`Decision::Allow`].
    pub fn is_allow(self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// Decides whether `actor` may do `action` to `resource`. Deny by default.
pub fn authorize(actor: Option<&Actor>, action: Action, resource: &Resource) -> Decision {
    let Some(actor) = actor else {
        // The one thing anyone may do: read public advisories where the instance says so.
        return match (resource, action) {
            (Resource::KnowledgeBase { open: true }, Action::Read | Action::List) => Decision::Allow,
            _ => Decision::Refuse(Reason::Unauthenticated),
        };
    };
    let scope = action.needed_scope();
    if !actor.scopes.contains(scope) {
        return Decision::Refuse(Reason::MissingScope(scope));
    }
    let is_admin = actor.role == Role::Admin;
    // Administrative power through a token needs the admin scope as well, so a leaked
    // read/write token of an admin cannot manage the instance.
    let admin = is_admin && actor.scopes.contains(Scope::Admin);
    let analyst = actor.role == Role::Analyst;
    let own_org = |org: &OrgId| *org == actor.org_id;

    let allowed = match (resource, action) {
        (Resource::Exposure(org), _) => own_org(org),
        (_, _) if admin => true,
        (Resource::OwnIdentity, Action::Read) => true,
        (Resource::KnowledgeBase { .. }, Action::Read | Action::List) => true,
        // Analysts curate the knowledge base: imports, syncs, sources.
        (Resource::KnowledgeSources, _) => analyst,
        // Everyone may read their own organisation; analysts see all organisations,
        // because triage and routing need to know who is who.
        (Resource::Organisation(org), Action::Read) => own_org(org) || analyst,
        (Resource::Organisations, Action::List) => analyst,
        // People of an organisation see each other (who else is on the team).
        (Resource::Users(org), Action::List) => own_org(org),
        (Resource::User { org, user }, Action::Read) => own_org(org) || *user == actor.user_id,
        // A person manages their own tokens; never someone else's.
        (Resource::Tokens { org, owner }, Action::List | Action::Create | Action::Delete) => {
            own_org(org) && *owner == actor.user_id
        }
        _ => false,
    };
    if allowed { Decision::Allow } else { Decision::Refuse(Reason::NotPermitted) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ch_domain::{AuthMethod, OrgKind, Scopes};
    use uuid::Uuid;

    fn actor(role: Role, kind: OrgKind, org: u128, scopes: &str) -> Actor {
        Actor {
            user_id: UserId(Uuid::from_u128(org * 1000 + 1)),
            org_id: OrgId(Uuid::from_u128(org)),
            org_kind: kind,
            role,
            scopes: scopes.parse().unwrap_or_else(|_| Scopes::all()),
            method: AuthMethod::Token,
            token: None,
        }
    }

    #[test]
    fn table() {
        let a = OrgId(Uuid::from_u128(1));
        let b = OrgId(Uuid::from_u128(2));
        let op = actor(Role::Operator, OrgKind::Operator, 1, "read write");
        let op_ro = actor(Role::Operator, OrgKind::Operator, 1, "read");
        let admin = actor(Role::Admin, OrgKind::Clearinghouse, 9, "read write admin");
        let admin_rw = actor(Role::Admin, OrgKind::Clearinghouse, 9, "read write");
        let analyst = actor(Role::Analyst, OrgKind::Clearinghouse, 9, "read write");
        let own = UserId(Uuid::from_u128(1001));
        let cases: Vec<(Option<&Actor>, Action, Resource, bool)> = vec![
            (Some(&op), Action::Read, Resource::Exposure(a), true),
            (Some(&op), Action::Create, Resource::Exposure(a), true),
            (Some(&op_ro), Action::List, Resource::Exposure(a), true),
            (Some(&op_ro), Action::Create, Resource::Exposure(a), false),
            (Some(&op), Action::Read, Resource::Exposure(b), false),
            (Some(&analyst), Action::List, Resource::Exposure(a), false),
            (Some(&admin), Action::Read, Resource::Exposure(a), false),
            (None, Action::Read, Resource::Exposure(a), false),
            (None, Action::Read, Resource::OwnIdentity, false),
            (Some(&op), Action::Read, Resource::OwnIdentity, true),
            (Some(&op), Action::Read, Resource::Organisation(a), true),
            (Some(&op), Action::Read, Resource::Organisation(b), false),
            (Some(&op), Action::List, Resource::Organisations, false),
            (Some(&analyst), Action::List, Resource::Organisations, true),
            (Some(&analyst), Action::Create, Resource::Organisations, false),
            (Some(&op), Action::List, Resource::Users(a), true),
            (Some(&op), Action::List, Resource::Users(b), false),
            (Some(&op), Action::Create, Resource::Users(a), false),
            (Some(&op), Action::Create, Resource::Tokens { org: a, owner: own }, true),
            (Some(&op_ro), Action::Create, Resource::Tokens { org: a, owner: own }, false),
            (Some(&op), Action::Create, Resource::Tokens { org: a, owner: UserId(Uuid::from_u128(5)) }, false),
            (Some(&op), Action::Read, Resource::AuditLog, false),
            (Some(&analyst), Action::Read, Resource::AuditLog, false),
            (Some(&admin), Action::Read, Resource::AuditLog, true),
            (Some(&admin_rw), Action::Read, Resource::AuditLog, false),
            (Some(&admin), Action::Create, Resource::Users(b), true),
            (Some(&op), Action::Update, Resource::Keys, false),
            (Some(&op), Action::List, Resource::Jobs, false),
            (None, Action::Read, Resource::KnowledgeBase { open: true }, true),
            (None, Action::List, Resource::KnowledgeBase { open: true }, true),
            (None, Action::Create, Resource::KnowledgeBase { open: true }, false),
            (None, Action::Read, Resource::KnowledgeBase { open: false }, false),
            (Some(&op_ro), Action::Read, Resource::KnowledgeBase { open: false }, true),
            (Some(&op), Action::Create, Resource::KnowledgeBase { open: false }, false),
            (Some(&op), Action::Create, Resource::KnowledgeSources, false),
            (Some(&op), Action::List, Resource::KnowledgeSources, false),
            (Some(&analyst), Action::Create, Resource::KnowledgeSources, true),
            (Some(&admin), Action::Delete, Resource::KnowledgeSources, true),
        ];
        for (i, (who, action, res, ok)) in cases.into_iter().enumerate() {
            assert_eq!(authorize(who, action, &res).is_allow(), ok, "case {i}: {action:?} {res:?}");
        }
    }

    #[test]
    fn scope_is_named() {
        let op_ro = actor(Role::Operator, OrgKind::Operator, 1, "read");
        let d = authorize(
            Some(&op_ro),
            Action::Delete,
            &Resource::Tokens { org: OrgId(Uuid::from_u128(1)), owner: op_ro.user_id },
        );
        assert_eq!(d, Decision::Refuse(Reason::MissingScope(Scope::Write)));
    }
}

//! Identity lifecycles on SQLite and PostgreSQL.

use anyhow::{Context, ensure};
use ch_domain::{OrgKind, Role, Scope, Sector};
use ch_identity::{Error, Identity};
use ch_store::audit::Who;
use ch_store::identity as repo;
use ch_testkit::{T0, each_backend};

#[tokio::test]
async fn organisation_and_user_lifecycle() {
    each_backend(|db| async move {
        let id = Identity::new(db.store.clone())?;
        let who = Who::cli();
        // Operators need a sector; other kinds must not have one.
        ensure!(matches!(id.create_org(&who, T0, "Hospital", OrgKind::Operator, None).await, Err(Error::Domain(_))));
        let org = id.create_org(&who, T0, "Hospital", OrgKind::Operator, Some(Sector::Healthcare)).await?;
        ensure!(matches!(
            id.create_org(&who, T0, "Hospital", OrgKind::Operator, Some(Sector::Healthcare)).await,
            Err(Error::Store(ch_store::Error::Conflict(_)))
        ));
        // An operator organisation cannot hold an administrator.
        ensure!(matches!(
            id.create_user(&who, T0, org.id, "x@h.example", "X", Role::Admin, None).await,
            Err(Error::Domain(_))
        ));
        ensure!(matches!(
            id.create_user(&who, T0, org.id, "x@h.example", "X", Role::Operator, Some("short")).await,
            Err(Error::Invalid(_))
        ));
        let u = id
            .create_user(&who, T0, org.id, "Olivia@H.example", "Olivia", Role::Operator, Some("a long enough password"))
            .await?;
        ensure!(u.email == "olivia@h.example", "e-mail is normalised");
        ensure!(matches!(
            id.create_user(&who, T0, org.id, "olivia@h.example", "Dup", Role::Operator, None).await,
            Err(Error::Store(ch_store::Error::Conflict(_)))
        ));
        // Sign in, case-insensitively; a wrong password and an unknown address look alike.
        let s = id.login("OLIVIA@h.example", "a long enough password", "10.0.0.1", T0).await?;
        let sa = id.session_actor(&s.secret, T0 + 1).await?.context("live session")?;
        ensure!(sa.actor.org_id == org.id && sa.actor.role == Role::Operator && !sa.session.csrf.is_empty());
        ensure!(id.session_actor(&s.secret, T0 + ch_identity::SESSION_TTL_MS + 1).await?.is_none(), "expired");
        let e1 = id.login("olivia@h.example", "wrong password!!", "10.0.0.1", T0).await.err().context("wrong pw")?;
        let e2 = id.login("nobody@h.example", "wrong password!!", "10.0.0.1", T0).await.err().context("no user")?;
        ensure!(e1.to_string() == e2.to_string());
        // Disabling ends sessions and refuses sign-in.
        id.set_disabled(&who, T0, u.id, true).await?;
        ensure!(id.session_actor(&s.secret, T0 + 2).await?.is_none());
        ensure!(matches!(
            id.login("olivia@h.example", "a long enough password", "x", T0).await,
            Err(Error::BadCredentials)
        ));
        id.set_disabled(&who, T0, u.id, false).await?;
        let s2 = id.login("olivia@h.example", "a long enough password", "x", T0).await?;
        id.logout(&s2.secret, &who, T0).await?;
        ensure!(id.session_actor(&s2.secret, T0).await?.is_none(), "logged out");
        // Everything above is in the audit chain, failed sign-ins included.
        let mut c = db.store.conn().await?;
        let entries =
            ch_store::audit::list(&mut c, &ch_store::audit::Filter { limit: 500, ..Default::default() }).await?;
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        for a in [
            "organisation.create",
            "user.create",
            "session.login",
            "session.login_failed",
            "user.disable",
            "user.enable",
            "session.logout",
        ] {
            ensure!(actions.contains(&a), "missing {a} in {actions:?}");
        }
        ensure!(ch_store::audit::verify(&mut c).await?.0 == entries.len() as u64);
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn token_lifecycle() {
    each_backend(|db| async move {
        let id = Identity::new(db.store.clone())?;
        let who = Who::cli();
        let org = id.create_org(&who, T0, "Bank", OrgKind::Operator, Some(Sector::Finance)).await?;
        let u = id.create_user(&who, T0, org.id, "o@bank.example", "O", Role::Operator, None).await?;
        ensure!(
            matches!(id.create_token(&who, T0, u.id, "t", "read admin".parse()?, None).await, Err(Error::Invalid(_))),
            "non-admins cannot hold the admin scope"
        );
        ensure!(matches!(
            id.create_token(&who, T0, u.id, "t", "read".parse()?, Some(T0)).await,
            Err(Error::Invalid(_))
        ));
        let t = id.create_token(&who, T0, u.id, "ci upload", "read write".parse()?, Some(T0 + 1000)).await?;
        ensure!(t.secret.starts_with("chk_") && t.secret.len() >= 40);
        // Only the digest is stored.
        let mut c = db.store.conn().await?;
        let stored = repo::get_token(&mut c, t.token.id).await?;
        ensure!(stored.digest == ch_identity::digest(&t.secret) && stored.digest != t.secret);
        let a = id.authenticate_token(&t.secret, T0 + 10).await?.context("valid token")?;
        ensure!(a.user_id == u.id && a.scopes.contains(Scope::Write) && !a.scopes.contains(Scope::Admin));
        ensure!(a.token == Some(t.token.id));
        ensure!(repo::get_token(&mut c, t.token.id).await?.last_used_at == Some(T0 + 10));
        // Expired, tampered, revoked, disabled owner: all refused.
        ensure!(id.authenticate_token(&t.secret, T0 + 1000).await?.is_none(), "expired");
        ensure!(id.authenticate_token(&format!("{}x", t.secret), T0 + 10).await?.is_none(), "tampered");
        ensure!(id.authenticate_token("not-a-token", T0).await?.is_none());
        let t2 = id.create_token(&who, T0, u.id, "second", "read".parse()?, None).await?;
        ensure!(id.authenticate_token(&t2.secret, T0).await?.is_some());
        id.revoke_token(&who, T0, t2.token.id).await?;
        ensure!(id.authenticate_token(&t2.secret, T0).await?.is_none(), "revoked");
        let t3 = id.create_token(&who, T0, u.id, "third", "read".parse()?, None).await?;
        id.set_disabled(&who, T0, u.id, true).await?;
        ensure!(id.authenticate_token(&t3.secret, T0).await?.is_none(), "disabled owner");
        ensure!(repo::list_tokens(&mut c, u.id).await?.len() == 3);
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn bootstrap_only_on_an_empty_database() {
    each_backend(|db| async move {
        let id = Identity::new(db.store.clone())?;
        let admin = id.bootstrap_admin(T0, "root@ch.example", "Root", "a long enough password").await?;
        ensure!(admin.role == Role::Admin);
        ensure!(matches!(
            id.bootstrap_admin(T0, "again@ch.example", "Again", "a long enough password").await,
            Err(Error::Invalid(_))
        ));
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn single_sign_on_seam_links_by_verified_email_only() {
    each_backend(|db| async move {
        let id = Identity::new(db.store.clone())?;
        let who = Who::cli();
        let org = id.create_org(&who, T0, "Vendor", OrgKind::Vendor, None).await?;
        let u = id.create_user(&who, T0, org.id, "v@vendor.example", "V", Role::Vendor, None).await?;
        ensure!(matches!(id.sign_in_external("https://idp", "sub-1", None, "x", T0).await, Err(Error::BadCredentials)));
        ensure!(
            matches!(
                id.sign_in_external("https://idp", "sub-1", Some("stranger@x.example"), "x", T0).await,
                Err(Error::BadCredentials)
            ),
            "no account is created by SSO"
        );
        let s = id.sign_in_external("https://idp", "sub-1", Some("v@vendor.example"), "x", T0).await?;
        ensure!(s.user.id == u.id);
        let s2 = id.sign_in_external("https://idp", "sub-1", None, "x", T0).await?;
        ensure!(s2.user.id == u.id, "linked identity signs in without e-mail");
        Ok(db)
    })
    .await;
}

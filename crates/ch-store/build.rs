//! Rebuilds the crate when a migration is added. `sqlx::migrate!` embeds
//! `migrations/{sqlite,postgres}` at compile time and makes Cargo watch the files it
//! embedded, not the directories: a new migration file alone would leave the binary
//! and the tests migrating to the schema of the last build. This is the build script
//! sqlx's own documentation recommends (`sqlx migrate build-script`).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

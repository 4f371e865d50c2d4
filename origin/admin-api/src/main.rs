//! admin-api binary: serves the staff API, or creates a staff account.
//!
//! `admin-api create-staff --email you@example.com --name "Your Name" --role admin` creates an
//! account (the first admin among them); the password is read from `ZELLY_STAFF_PASSWORD` or,
//! when that is unset, from the first line of standard input. There is never a default password.

use std::io::BufRead;
use zelly_edge::admin::StaffRole;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    zelly_service::init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => admin_api::run(admin_api::Config::from_env().map_err(anyhow::Error::msg)?).await,
        Some("create-staff") => create_staff(&args[1..]).await,
        Some(other) => anyhow::bail!("unknown command {other:?}; run without one to serve, or `create-staff --email E --name N --role admin|support|read_only`"),
    }
}

async fn create_staff(args: &[String]) -> anyhow::Result<()> {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let email = value("--email").ok_or_else(|| anyhow::anyhow!("--email is required"))?;
    let name = value("--name").unwrap_or_else(|| email.split('@').next().unwrap_or("Staff").to_owned());
    let role = value("--role").unwrap_or_else(|| "admin".into());
    let role = StaffRole::parse(&role).ok_or_else(|| anyhow::anyhow!("--role must be admin, support or read_only"))?;
    if !email.contains('@') || email.trim().len() < 3 {
        anyhow::bail!("--email must be an email address");
    }
    let password = match std::env::var("ZELLY_STAFF_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!("Password for {email} (at least 12 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < 12 {
        anyhow::bail!("the password must have at least 12 characters");
    }
    let database = zelly_store::DatabaseConfig::from_env("DB_DATABASE").map_err(anyhow::Error::msg)?;
    let store = zelly_store::connect(&database).await?;
    let hash = zelly_service::password::hash(&password).await?;
    let new = zelly_store::NewStaff { email, name, role, password_hash: hash };
    let account = store.create_staff(&new, zelly_service::now_ms()).await?;
    println!("Created {} ({}).{}", account.email, account.role.as_str(), if role == StaffRole::Admin {
        " At first sign-in, admin-ui asks to set up an authenticator app."
    } else {
        ""
    });
    Ok(())
}

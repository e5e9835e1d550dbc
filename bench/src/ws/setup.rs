//! Who sits in which room, and the unmeasured set-up that creates it on the server: end users
//! and admins signed in through host-app SSO (no password hashing), promoted admins, one API
//! token per account, one conversation per room assigned to one of the room's admins.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderValue, SET_COOKIE};
use reqwest::{Client, Response};
use serde::Serialize;
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::http::expect_json;

/// Rooms of `room_size` consecutive sockets: the first is the conversation's owner (an end
/// user), the others are admin sockets. Admin socket `j` (counting admin sockets only) belongs
/// to admin account `j % admin_accounts`, so the admins of one room are distinct accounts as
/// long as there are at least `room_size - 1` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub connections: usize,
    pub room_size: usize,
    pub rooms: usize,
    pub admin_accounts: usize,
}

/// What one socket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// The end user who owns room `.0`'s conversation.
    Owner(usize),
    /// Admin account `.0`.
    Admin(usize),
}

impl Layout {
    pub fn new(
        connections: usize,
        room_size: usize,
        sockets_per_admin: usize,
    ) -> anyhow::Result<Self> {
        if connections == 0 || room_size == 0 || sockets_per_admin == 0 {
            bail!("--connections, --room-size and --sockets-per-admin must be at least 1");
        }
        let rooms = connections.div_ceil(room_size);
        let admin_sockets = connections - rooms;
        let admin_accounts = admin_sockets.div_ceil(sockets_per_admin);
        let needed = (room_size - 1).min(admin_sockets);
        if admin_accounts < needed {
            bail!(
                "--sockets-per-admin {sockets_per_admin} leaves {admin_accounts} admin accounts for \
                 {admin_sockets} admin sockets; a room needs {needed} distinct admins"
            );
        }
        Ok(Self {
            connections,
            room_size,
            rooms,
            admin_accounts,
        })
    }

    pub fn room_of(&self, socket: usize) -> usize {
        socket / self.room_size
    }

    pub fn members(&self, room: usize) -> std::ops::Range<usize> {
        let start = room * self.room_size;
        start..(start + self.room_size).min(self.connections)
    }

    pub fn member(&self, socket: usize) -> Member {
        let room = self.room_of(socket);
        if socket.is_multiple_of(self.room_size) {
            Member::Owner(room)
        } else {
            // Sockets before this one, minus the owners among them (rooms 0..=room).
            Member::Admin((socket - (room + 1)) % self.admin_accounts)
        }
    }

    /// The admin account the room's conversation is assigned to: its first admin socket's.
    pub fn assignee(&self, room: usize) -> Option<usize> {
        self.members(room).nth(1).map(|s| match self.member(s) {
            Member::Admin(a) => a,
            Member::Owner(_) => unreachable!("only a room's first socket is its owner"),
        })
    }
}

/// An account set up on the server.
#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: i64,
    /// `sct_…` API token.
    pub token: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct Fixture {
    pub layout: Layout,
    pub owners: Vec<Account>,
    pub admins: Vec<Account>,
    /// Conversation id of each room.
    pub conversations: Vec<i64>,
}

impl Fixture {
    pub fn token_of(&self, socket: usize) -> Arc<str> {
        match self.layout.member(socket) {
            Member::Owner(r) => self.owners[r].token.clone(),
            Member::Admin(a) => self.admins[a].token.clone(),
        }
    }
}

/// Inputs for [`run`].
#[derive(Debug, Clone)]
pub struct SetupPlan {
    pub base: String,
    pub layout: Layout,
    /// Unique per process: goes into every email, SSO subject and token name.
    pub prefix: String,
    pub admin_email: String,
    pub admin_password: String,
    pub sso_secret: String,
    pub concurrency: usize,
}

/// Counts for the report.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetupStats {
    pub requests: u64,
}

/// How long a sign-on token stays valid.
const SSO_TOKEN_TTL: Duration = Duration::from_secs(3600);

#[derive(Serialize)]
struct SsoClaims<'a> {
    sub: &'a str,
    email: &'a str,
    name: &'a str,
    exp: u64,
}

/// A host-app sign-on token: HS256 over `{sub, email, name, exp}` with the shared secret.
pub fn sso_token(secret: &str, sub: &str, email: &str, name: &str) -> anyhow::Result<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let claims = SsoClaims {
        sub,
        email,
        name,
        exp: now + SSO_TOKEN_TTL.as_secs(),
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .context("signing the SSO token")
}

fn bearer(token: &str) -> anyhow::Result<HeaderValue> {
    let mut v = HeaderValue::from_str(&format!("Bearer {token}"))
        .context("API token is not a valid header value")?;
    v.set_sensitive(true);
    Ok(v)
}

/// `name=value` of the session cookie a sign-in set.
fn session_cookie(resp: &Response) -> anyhow::Result<HeaderValue> {
    let cookie = resp
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sc_session="))
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow!("sign-in response sets no sc_session cookie"))?;
    let mut v = HeaderValue::from_str(cookie)?;
    v.set_sensitive(true);
    Ok(v)
}

/// Creates an API token with a cookie session just started by `signin`.
async fn token_from_session(
    client: &Client,
    base: &str,
    signin: Response,
    what: &str,
    token_name: &str,
) -> anyhow::Result<Account> {
    let cookie = session_cookie(&signin)?;
    let body = expect_json(signin, what).await?;
    let user_id = body["user"]["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("{what}: no numeric user.id in {body}"))?;
    let csrf = body["csrfToken"]
        .as_str()
        .ok_or_else(|| anyhow!("{what}: no csrfToken"))?;
    let created = expect_json(
        client
            .post(format!("{base}/api/auth/tokens"))
            .header(COOKIE, cookie)
            .header("X-CSRF-Token", csrf)
            .json(&json!({ "name": token_name }))
            .send()
            .await?,
        "POST /api/auth/tokens",
    )
    .await?;
    let token = created["token"]
        .as_str()
        .ok_or_else(|| anyhow!("token response has no token field"))?;
    Ok(Account {
        user_id,
        token: token.into(),
    })
}

async fn bootstrap_admin(client: &Client, plan: &SetupPlan) -> anyhow::Result<Account> {
    let resp = client
        .post(format!("{}/api/auth/login", plan.base))
        .json(&json!({ "email": plan.admin_email, "password": plan.admin_password }))
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::UNAUTHORIZED {
        bail!(
            "POST /api/auth/login as {} returned 401: start the server with \
             SUPPORT_CHAT_ADMIN_EMAIL/SUPPORT_CHAT_ADMIN_PASSWORD and pass the same to the bench",
            plan.admin_email
        );
    }
    token_from_session(
        client,
        &plan.base,
        resp,
        "POST /api/auth/login",
        &format!("bench-{}", plan.prefix),
    )
    .await
}

async fn sso_account(
    client: &Client,
    plan: &SetupPlan,
    admin: Option<&Account>,
    kind: char,
    i: usize,
) -> anyhow::Result<Account> {
    let sub = format!("bench-{}-{kind}{i}", plan.prefix);
    let email = format!("{sub}@example.test");
    let name = match kind {
        'a' => format!("Bench Admin {i}"),
        _ => format!("Bench User {i}"),
    };
    let jwt = sso_token(&plan.sso_secret, &sub, &email, &name)?;
    let resp = client
        .post(format!("{}/api/auth/sso", plan.base))
        .json(&json!({ "token": jwt }))
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        bail!("POST /api/auth/sso returned 404: start the server with SUPPORT_CHAT_SSO_SECRET");
    }
    let account = token_from_session(
        client,
        &plan.base,
        resp,
        "POST /api/auth/sso",
        &format!("bench-{}", plan.prefix),
    )
    .await?;
    if let Some(admin) = admin {
        expect_json(
            client
                .put(format!("{}/api/admin/users/{}", plan.base, account.user_id))
                .header(AUTHORIZATION, bearer(&admin.token)?)
                .json(&json!({ "role": "admin" }))
                .send()
                .await?,
            "PUT /api/admin/users/{id}",
        )
        .await?;
    }
    Ok(account)
}

async fn conversation(
    client: &Client,
    plan: &SetupPlan,
    bootstrap: &Account,
    owner: &Account,
    assignee: Option<&Account>,
    room: usize,
) -> anyhow::Result<i64> {
    let created = expect_json(
        client
            .post(format!("{}/api/support-chat/conversations", plan.base))
            .header(AUTHORIZATION, bearer(&owner.token)?)
            .json(&json!({
                "subject": format!("Bench room {room} ({})", plan.prefix),
                "initialMessage": format!("Hello from bench room {room}."),
            }))
            .send()
            .await?,
        "POST /api/support-chat/conversations",
    )
    .await?;
    let id = created["conversation"]["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("no numeric conversation.id in {created}"))?;
    if let Some(a) = assignee {
        expect_json(
            client
                .put(format!("{}/api/support-chat/conversations/{id}", plan.base))
                .header(AUTHORIZATION, bearer(&bootstrap.token)?)
                .json(&json!({ "adminId": a.user_id }))
                .send()
                .await?,
            "PUT /api/support-chat/conversations/{id}",
        )
        .await?;
    }
    Ok(id)
}

/// Runs `task(i)` for `0..count` with at most `concurrency` at once; results in index order.
async fn bounded<T, F, Fut>(count: usize, concurrency: usize, task: F) -> anyhow::Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut out: Vec<Option<T>> = (0..count).map(|_| None).collect();
    let mut keep = |done: Result<anyhow::Result<(usize, T)>, tokio::task::JoinError>| {
        let (i, v) = done.context("set-up task panicked")??;
        out[i] = Some(v);
        anyhow::Ok(())
    };
    for i in 0..count {
        let permit = permits.clone().acquire_owned().await?;
        let fut = task(i);
        tasks.spawn(async move {
            let _permit = permit;
            fut.await.map(|v| (i, v))
        });
        // Surface the first failure early instead of after queueing everything.
        while let Some(done) = tasks.try_join_next() {
            keep(done)?;
        }
    }
    while let Some(done) = tasks.join_next().await {
        keep(done)?;
    }
    if out.iter().any(Option::is_none) {
        bail!("a set-up task returned no result");
    }
    Ok(out.into_iter().flatten().collect())
}

/// Creates the accounts, tokens and conversations of `plan.layout`. Not measured.
pub async fn run(client: &Client, plan: &SetupPlan) -> anyhow::Result<(Fixture, SetupStats)> {
    let layout = plan.layout;
    let started = std::time::Instant::now();
    let bootstrap = Arc::new(bootstrap_admin(client, plan).await?);
    let plan = Arc::new(plan.clone());

    let (c, p, b) = (client.clone(), plan.clone(), bootstrap.clone());
    let admins = bounded(layout.admin_accounts, plan.concurrency, move |i| {
        let (c, p, b) = (c.clone(), p.clone(), b.clone());
        async move {
            sso_account(&c, &p, Some(&b), 'a', i)
                .await
                .with_context(|| format!("setting up bench admin {i}"))
        }
    })
    .await?;
    eprintln!(
        "bench: {} admins ready after {:.1} s",
        admins.len(),
        started.elapsed().as_secs_f64()
    );

    let (c, p) = (client.clone(), plan.clone());
    let owners = bounded(layout.rooms, plan.concurrency, move |i| {
        let (c, p) = (c.clone(), p.clone());
        async move {
            sso_account(&c, &p, None, 'u', i)
                .await
                .with_context(|| format!("setting up bench user {i}"))
        }
    })
    .await?;
    eprintln!(
        "bench: {} users ready after {:.1} s",
        owners.len(),
        started.elapsed().as_secs_f64()
    );

    let owners = Arc::new(owners);
    let admins = Arc::new(admins);
    let (c, p, b, o, a) = (
        client.clone(),
        plan.clone(),
        bootstrap.clone(),
        owners.clone(),
        admins.clone(),
    );
    let conversations = bounded(layout.rooms, plan.concurrency, move |room| {
        let (c, p, b, o, a) = (c.clone(), p.clone(), b.clone(), o.clone(), a.clone());
        async move {
            let assignee = p.layout.assignee(room).map(|i| &a[i]);
            conversation(&c, &p, &b, &o[room], assignee, room)
                .await
                .with_context(|| format!("creating the conversation of room {room}"))
        }
    })
    .await?;
    eprintln!(
        "bench: {} conversations ready after {:.1} s",
        conversations.len(),
        started.elapsed().as_secs_f64()
    );

    let assigned = (0..layout.rooms)
        .filter(|r| layout.assignee(*r).is_some())
        .count();
    let requests = 2 // bootstrap login + token
        + 3 * layout.admin_accounts // sso + token + promote
        + 2 * layout.rooms // sso + token
        + layout.rooms + assigned; // create + assign
    let fixture = Fixture {
        layout,
        owners: Arc::try_unwrap(owners).unwrap_or_else(|a| (*a).clone()),
        admins: Arc::try_unwrap(admins).unwrap_or_else(|a| (*a).clone()),
        conversations,
    };
    Ok((
        fixture,
        SetupStats {
            requests: requests as u64,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::HashSet;

    #[test]
    fn rooms_have_one_owner_and_distinct_admins() {
        for (conns, size, per_admin) in [(10, 5, 1), (12, 5, 1), (100, 5, 4), (7, 3, 2), (1, 5, 1)]
        {
            let l = Layout::new(conns, size, per_admin).unwrap();
            assert_eq!(l.rooms, conns.div_ceil(size));
            let mut per_account = vec![0usize; l.admin_accounts];
            for room in 0..l.rooms {
                let members: Vec<_> = l.members(room).map(|s| l.member(s)).collect();
                assert_eq!(members[0], Member::Owner(room));
                let admins: HashSet<usize> = members[1..]
                    .iter()
                    .map(|m| match m {
                        Member::Admin(a) => *a,
                        Member::Owner(_) => panic!("two owners in room {room}"),
                    })
                    .collect();
                assert_eq!(admins.len(), members.len() - 1, "room {room}: {members:?}");
                if let Some(a) = l.assignee(room) {
                    assert!(admins.contains(&a));
                }
                for a in admins {
                    per_account[a] += 1;
                }
            }
            assert_eq!(
                per_account.iter().sum::<usize>(),
                conns - l.rooms,
                "{conns}/{size}"
            );
            assert!(per_account.iter().all(|&n| n >= 1 && n <= per_admin));
        }
        assert_eq!(Layout::new(10_000, 5, 1).unwrap().admin_accounts, 8000);
        assert_eq!(Layout::new(10_000, 5, 4).unwrap().admin_accounts, 2000);
        assert!(
            Layout::new(10, 5, 8).is_err(),
            "8 admin sockets on 1 account"
        );
        assert!(Layout::new(0, 5, 1).is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bounded_keeps_every_result_in_order() {
        let out = bounded(200, 7, |i| async move {
            tokio::time::sleep(Duration::from_micros((i as u64 * 7919) % 500)).await;
            Ok(i * 2)
        })
        .await
        .unwrap();
        assert_eq!(out, (0..200).map(|i| i * 2).collect::<Vec<_>>());
        let err = bounded(50, 3, |i| async move {
            if i == 20 {
                bail!("boom {i}")
            }
            Ok(i)
        })
        .await
        .unwrap_err();
        assert!(err.to_string().contains("boom 20"), "{err}");
    }

    #[test]
    fn sso_token_is_hs256_with_the_claims() {
        let t = sso_token("0123456789abcdef0123456789abcdef", "s1", "e@x.test", "N").unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        v.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Value>(
            t.as_bytes(),
            &jsonwebtoken::DecodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
            &v,
        )
        .unwrap();
        assert_eq!(data.claims["sub"], "s1");
        assert_eq!(data.claims["email"], "e@x.test");
        assert_eq!(data.claims["name"], "N");
        let exp = data.claims["exp"].as_u64().unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(exp > now && exp <= now + SSO_TOKEN_TTL.as_secs());
    }
}

//! Behind the site's proxy (Netlify's signed rewrite of `/api/*`): with the production setting
//! a request the proxy did not sign is refused, a signed one is served, and the client is the
//! address the signed proxy names, never a header anyone can write.

use crate::common::{Harness, peer};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use functions::proxy::{CLIENT_HEADER, SIGNATURE_HEADER, sign};

const SECRET: &[u8] = b"the secret of the signed proxy rule, 32+ bytes";
/// Netlify's own address, the socket peer of every proxied request.
const NETLIFY: &str = "198.18.0.1";

fn token(h: &Harness, secret: &[u8], expires_in: i64) -> String {
    let claims = serde_json::json!({
        "deploy_context": "production",
        "netlify_id": "site",
        "site_url": "https://portal.example.org",
        "iss": "netlify",
        "exp": h.clock_now().as_second() + expires_in,
    });
    sign(&claims, secret)
}

/// A request as the proxy forwards it: from Netlify's address, signed, naming `client`.
fn through_proxy(h: &Harness, request: Request<Body>, client: &str) -> Request<Body> {
    let (mut parts, body) = request.into_parts();
    parts
        .headers
        .insert(SIGNATURE_HEADER, token(h, SECRET, 300).parse().unwrap());
    parts.headers.insert(CLIENT_HEADER, client.parse().unwrap());
    parts.extensions.insert(peer(NETLIFY));
    Request::from_parts(parts, body)
}

fn stamp_request() -> Request<Body> {
    Request::get("/api/members/new")
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .unwrap()
}

fn signup(email: &str, stamp: &str) -> Request<Body> {
    Request::post("/api/members")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(
            r#"{{"name":"佐藤 健","kana":"さとう けん","sector":"private","email":"{email}","consent":true,"form_token":"{stamp}"}}"#
        )))
        .unwrap()
}

async fn signed_stamp(h: &Harness) -> String {
    let (status, _, text) = h
        .send(through_proxy(h, stamp_request(), "203.0.113.50"))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    h.clock.advance(5);
    answer["form_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn with_the_production_setting_only_what_the_proxy_signed_is_served() {
    let h = Harness::behind_proxy(SECRET, true);
    // Directly, even naming a client the way the proxy does.
    let mut direct = stamp_request();
    direct
        .headers_mut()
        .insert(CLIENT_HEADER, "203.0.113.9".parse().unwrap());
    let (status, _, text) = h.send(direct).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("through the portal"), "{text}");
    // Signed with another secret, expired, or not a signature at all.
    for bad in [
        token(&h, b"some other secret, also long enough!!", 300),
        token(&h, SECRET, -120),
        "not-a-jws".to_owned(),
    ] {
        let mut request = stamp_request();
        request
            .headers_mut()
            .insert(SIGNATURE_HEADER, bad.parse().unwrap());
        request
            .headers_mut()
            .insert(CLIENT_HEADER, "203.0.113.9".parse().unwrap());
        let (status, _, text) = h.send(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{bad}: {text}");
    }
    // Through the proxy.
    let (status, _, text) = h
        .send(through_proxy(&h, stamp_request(), "203.0.113.9"))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    // Signed, but without the client's address: refused rather than counted as Netlify's.
    let mut request = stamp_request();
    request
        .headers_mut()
        .insert(SIGNATURE_HEADER, token(&h, SECRET, 300).parse().unwrap());
    let (status, _, _) = h.send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_client_is_the_address_the_signed_proxy_names() {
    let h = Harness::behind_proxy(SECRET, true);
    // Five sign-ups an hour per client (Config::local): all from Netlify's socket, but the
    // sixth from the same client is refused and another client is still served.
    for n in 0..5 {
        let stamp = signed_stamp(&h).await;
        let request = through_proxy(
            &h,
            signup(&format!("a{n}@example.jp"), &stamp),
            "203.0.113.10",
        );
        let (status, _, text) = h.send(request).await;
        assert_eq!(status, StatusCode::ACCEPTED, "sign-up {n}: {text}");
    }
    let stamp = signed_stamp(&h).await;
    let request = through_proxy(&h, signup("a5@example.jp", &stamp), "203.0.113.10");
    assert_eq!(h.send(request).await.0, StatusCode::TOO_MANY_REQUESTS);
    let stamp = signed_stamp(&h).await;
    let request = through_proxy(&h, signup("b0@example.jp", &stamp), "2001:db8::10");
    assert_eq!(h.send(request).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn without_the_production_setting_an_unsigned_request_names_no_client() {
    let h = Harness::behind_proxy(SECRET, false);
    // Direct calls are served, by their socket address: the proxy's header, unsigned, is
    // ignored, so changing it does not escape the limit.
    for n in 0..6 {
        let stamp = {
            let (_, _, text) = h.send(stamp_request()).await;
            h.clock.advance(5);
            serde_json::from_str::<serde_json::Value>(&text).unwrap()["form_token"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let mut request = signup(&format!("c{n}@example.jp"), &stamp);
        request.headers_mut().insert(
            CLIENT_HEADER,
            format!("203.0.113.{}", 100 + n).parse().unwrap(),
        );
        let expected = if n < 5 {
            StatusCode::ACCEPTED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(h.send(request).await.0, expected, "sign-up {n}");
    }
    // A bad signature is refused even so.
    let mut request = stamp_request();
    request
        .headers_mut()
        .insert(SIGNATURE_HEADER, "a.b.c".parse().unwrap());
    assert_eq!(h.send(request).await.0, StatusCode::FORBIDDEN);
}

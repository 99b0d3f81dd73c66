//! The routes of deploy/aws/template.yaml reach the function that serves them: every
//! (method, path) the HTTP API sends to a function is a route of that function's router, so
//! a route added to one without the other fails here rather than in production.

use crate::common::{Harness, peer};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_yaml::Value;
use tower::ServiceExt;

/// Each function's HTTP API events as (function, method, path).
fn template_routes() -> Vec<(String, String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/aws/template.yaml");
    let template: Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut routes = Vec::new();
    for (name, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        for (_, event) in resource["Properties"]["Events"].as_mapping().unwrap() {
            // The jobs function runs on a schedule, not on a route.
            if name.as_str() == Some("JobsFunction") {
                assert_eq!(event["Type"].as_str(), Some("ScheduleV2"));
                continue;
            }
            assert_eq!(event["Type"].as_str(), Some("HttpApi"));
            let properties = &event["Properties"];
            routes.push((
                name.as_str().unwrap().to_owned(),
                properties["Method"].as_str().unwrap().to_owned(),
                properties["Path"].as_str().unwrap().to_owned(),
            ));
        }
    }
    routes
}

#[tokio::test]
async fn every_route_of_the_template_is_served_by_its_function() {
    let h = Harness::new();
    let routes = template_routes();
    assert!(routes.len() >= 14, "{routes:?}");
    for (function, method, path) in routes {
        let app = match function.as_str() {
            "MembersFunction" => functions::http::members_app(h.services.clone()),
            "EventsFunction" => functions::http::events_app(h.services.clone()),
            "ModerationFunction" => functions::http::moderation_app(h.services.clone()),
            other => panic!("a function the test does not know: {other}"),
        };
        let concrete = path
            .replace(
                "{slug}",
                if path.starts_with("/api/events") {
                    "online-kickoff"
                } else {
                    "yamada-hanako"
                },
            )
            .replace(
                "{action}",
                if method == "GET" { "seats" } else { "signups" },
            )
            .replace(
                "{proxy+}",
                if method == "GET" {
                    "submissions"
                } else {
                    "submissions/x/approve"
                },
            );
        let request = Request::builder()
            .method(method.as_str())
            .uri(&concrete)
            .extension(peer("203.0.113.7"))
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        // The router's own answers for a path or method it does not have: 404 with no body,
        // 405. A handler's 404 (an unknown event) says why.
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{function} {method} {concrete}"
        );
        assert!(
            !(status == StatusCode::NOT_FOUND && body.is_empty()),
            "{function} has no route {method} {concrete}"
        );
    }
}

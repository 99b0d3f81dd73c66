//! A sign-up with a profile photo over HTTP (`multipart/form-data`, as the join form sends
//! it): the photo is kept re-encoded without its metadata; what is not a photo is a field
//! error with every other value kept.

use crate::common::Harness;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use functions::store::Status;
use functions::store::Submissions;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A phone-like JPEG (640×480) with an EXIF segment holding a GPS position.
const GPS_JPEG: &[u8] = include_bytes!("../fixtures/gps-640x480.jpg");
const GPS_MARKER: &[u8] = b"GPS-35.6812N";
const BOUNDARY: &str = "----portal-test-boundary";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The join form's fields as a browser sends them with a file (`photo`), or with the file
/// input left empty.
fn multipart(token: &str, photo: Option<(&str, &[u8])>, json: bool) -> Request<Body> {
    let mut body: Vec<u8> = Vec::new();
    let fields = [
        ("name", "山田 花子"),
        ("kana", "やまだ はなこ"),
        ("sector", "local-gov"),
        ("interests", "防災\r\n観光"),
        ("bio", "よろしくお願いします。"),
        ("email", "hanako@example.jp"),
        ("consent", "yes"),
        ("homepage", ""),
        ("form_token", token),
    ];
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (file_name, bytes) = photo.unwrap_or(("", b""));
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{file_name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let mut request = Request::post("/api/members").header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if json {
        request = request.header(header::ACCEPT, "application/json");
    }
    request.body(Body::from(body)).unwrap()
}

async fn confirmed_queue(h: &Harness) -> Vec<functions::store::Submission> {
    let mail = h.outbox().pop().expect("a confirmation mail");
    let link = crate::common::link_in(&mail, "/api/confirm?token=");
    h.confirm(&link).await;
    h.store.list_submissions(Status::Pending).await.unwrap()
}

#[tokio::test]
async fn a_photo_with_a_gps_position_is_kept_without_it_and_at_most_512_pixels() {
    assert!(
        contains(GPS_JPEG, GPS_MARKER),
        "the fixture carries a position"
    );
    let h = Harness::new();
    let token = h.form_token().await;
    let (status, headers, _) = h
        .send(multipart(&token, Some(("IMG_0001.jpg", GPS_JPEG)), false))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .ends_with("/join-thanks/")
    );
    let queue = confirmed_queue(&h).await;
    assert_eq!(queue.len(), 1);
    let photo = queue[0].photo.as_deref().expect("the photo is kept");
    // Editors see it before approving, with their token only; the queue says it is there.
    let path = format!("/api/moderation/submissions/{}/photo", queue[0].id);
    let (status, _, _) = h.get(&path).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = functions::http::app(h.services.clone())
        .oneshot(
            Request::get(&path)
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", crate::common::EDITOR_TOKEN),
                )
                .extension(crate::common::peer("203.0.113.7"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let served = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&served[..], photo);
    let (_, _, listing) = h.editor_get("/api/moderation/submissions").await;
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(listing["submissions"][0]["has_photo"], true);
    // The photo itself is not in the listing: no field carries it, and the whole answer is
    // far smaller than the photo.
    assert!(listing["submissions"][0].get("photo").is_none());
    assert!(
        listing.to_string().len() < photo.len(),
        "the listing carries the photo's bytes"
    );
    assert!(!contains(photo, GPS_MARKER));
    assert!(!contains(photo, b"Exif"));
    let decoded = image::load_from_memory(photo).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (512, 384));
    assert_eq!(queue[0].fields["interests"], "防災\n観光");
}

#[tokio::test]
async fn the_form_without_a_photo_still_signs_up() {
    let h = Harness::new();
    let token = h.form_token().await;
    let (status, _, _) = h.send(multipart(&token, None, false)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let queue = confirmed_queue(&h).await;
    assert_eq!(queue[0].photo, None);
}

#[tokio::test]
async fn a_text_file_named_jpg_is_a_field_error_and_nothing_is_stored() {
    let h = Harness::new();
    let token = h.form_token().await;
    let (status, _, html) = h
        .send(multipart(
            &token,
            Some(("photo.jpg", b"this is a text file, renamed photo.jpg\n")),
            false,
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("写真はJPEG・PNG・WebPの画像を選んでください"),
        "{html}"
    );
    assert!(html.contains("value=\"山田 花子\""), "values are kept");
    assert!(h.outbox().is_empty(), "no mail");
    // The script's submission gets the same as JSON, keyed by the field.
    let token = h.form_token().await;
    let (status, _, json) = h
        .send(multipart(
            &token,
            Some(("photo.jpg", b"GIF89a not a photo")),
            true,
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        answer["errors"]["photo"][0],
        "写真はJPEG・PNG・WebPの画像を選んでください"
    );
    assert!(
        h.store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_photo_over_5_mb_a_larger_body_or_a_second_file_is_refused() {
    let h = Harness::new();
    let token = h.form_token().await;
    // Just over 4 MB: the form says so beside the photo.
    let big = vec![0u8; functions::photo::MAX_UPLOAD_BYTES + 1024];
    let (status, _, html) = h
        .send(multipart(&token, Some(("big.jpg", &big)), false))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("写真は4MB以内のものを選んでください"),
        "{html}"
    );
    // Far over: the body is not read to its end.
    let huge = vec![0u8; functions::photo::MAX_UPLOAD_BYTES + 200 * 1024];
    let (status, _, _) = h
        .send(multipart(&token, Some(("huge.jpg", &huge)), false))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Another file field than `photo` is not part of the form.
    let mut request = multipart(&token, None, false);
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"bio\"; filename=\"bio.txt\"\r\n\r\nhello\r\n--{BOUNDARY}--\r\n"
    );
    *request.body_mut() = Body::from(body);
    let (status, _, _) = h.send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

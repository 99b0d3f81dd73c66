//! Extractors: the one place that decides who the client is (`ClientIp`), who the editor is
//! (`Editor`), and what a form or JSON post says (`FormPost`), so handlers start from values.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{
    ApiError, Format, SharedServices, check_origin, format_of, json_response, read_fields,
};
use crate::moderation::editor_for;
use model::profile::FormFields;

/// The client's address, from what the client cannot choose: on Lambda, API Gateway's
/// request context (the TCP peer it saw); locally, the socket's peer address.
/// `X-Forwarded-For` and the like are ignored: any client can write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key rate limits count by: the address, or its /64 network for IPv6, since one
    /// household or server gets a whole /64 and could rotate through it.
    pub fn rate_key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    let network = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                    format!("{network}/64")
                }
            },
        }
    }

    fn from_parts(parts: &Parts) -> Option<ClientIp> {
        // Set by `proxy_guard` only for a request the site's proxy signed.
        if let Some(ProxiedClient(ip)) = parts.extensions.get::<ProxiedClient>() {
            return Some(ClientIp(*ip));
        }
        #[cfg(feature = "aws")]
        {
            use lambda_http::request::RequestContext;
            let from_gateway = match parts.extensions.get::<RequestContext>() {
                Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
                Some(RequestContext::ApiGatewayV1(context)) => context.identity.source_ip.clone(),
                _ => None,
            };
            if let Some(ip) = from_gateway.and_then(|ip| ip.parse().ok()) {
                return Some(ClientIp(ip));
            }
        }
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| ClientIp(peer.ip()))
    }
}

/// The client address named by a request the site's proxy signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxiedClient(pub IpAddr);

/// Checks the site's proxy signature (when the functions know the proxy's secret): a signed
/// request's client is the address the proxy names; a badly signed one is refused; an
/// unsigned one is refused when the proxy is required, else its address is the socket's or
/// the gateway's, as without a proxy. The proxy's own headers are never read unsigned.
pub async fn proxy_guard(
    axum::extract::State(services): axum::extract::State<super::SharedServices>,
    mut request: Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(proxy) = &services.config.proxy else {
        return next.run(request).await;
    };
    let format = format_of(request.headers());
    let refuse =
        |status: StatusCode, message: &str| ApiError::new(status, message, format).into_response();
    let signature = request
        .headers()
        .get(crate::proxy::SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or(""));
    match signature {
        Some(token) => {
            let now = services.clock.now();
            if let Err(error) = crate::proxy::verify(token, &proxy.secret, now) {
                tracing::warn!(event = "proxy_signature_refused", reason = %error);
                return refuse(
                    StatusCode::FORBIDDEN,
                    "this request was not signed by the portal's proxy; use the portal's own address",
                );
            }
            let client = request
                .headers()
                .get(crate::proxy::CLIENT_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(crate::proxy::client_address);
            let Some(client) = client else {
                tracing::error!(event = "proxy_client_missing");
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "the portal's proxy did not say who is asking; please try again later",
                );
            };
            request.extensions_mut().insert(ProxiedClient(client));
            next.run(request).await
        }
        None if proxy.required => refuse(
            StatusCode::FORBIDDEN,
            "this address only answers through the portal; please use the portal's own pages",
        ),
        None => next.run(request).await,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientIp, ApiError> {
        ClientIp::from_parts(parts).ok_or_else(|| {
            // A deployment fault (a server without peer addresses), never the client's.
            tracing::error!(event = "client_address_unknown");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server cannot tell who is asking; please try again later",
                format_of(&parts.headers),
            )
        })
    }
}

/// A request without a valid editor token.
pub struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let mut response = json_response(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({ "error": "send an editor token: Authorization: Bearer <token>" }),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"moderation\""),
        );
        response
    }
}

/// The editor behind the request's bearer token.
pub struct Editor(pub String);

impl FromRequestParts<SharedServices> for Editor {
    type Rejection = Unauthorized;

    async fn from_request_parts(
        parts: &mut Parts,
        services: &SharedServices,
    ) -> Result<Editor, Unauthorized> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or("");
        match editor_for(services, token) {
            Some(name) if !token.is_empty() => Ok(Editor(name.to_owned())),
            _ => Err(Unauthorized),
        }
    }
}

/// A post from a browser or an API client, read (size, type, UTF-8) and with its Origin
/// checked, together with the client that sent it.
pub struct FormPost {
    pub format: Format,
    pub fields: FormFields,
    pub client: ClientIp,
}

impl FromRequest<SharedServices> for FormPost {
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        services: &SharedServices,
    ) -> Result<FormPost, ApiError> {
        let (mut parts, body) = request.into_parts();
        let client = ClientIp::from_request_parts(&mut parts, services).await?;
        let headers = parts.headers.clone();
        let (format, fields) = read_fields(Request::from_parts(parts, body)).await?;
        check_origin(&headers, services, format)?;
        Ok(FormPost {
            format,
            fields,
            client,
        })
    }
}

/// [`FormPost`] for the sign-up and a profile update, which may carry a photo (see
/// [`super::read_fields_and_photo`]): up to 4 MB and 64 KiB.
pub struct ProfilePost {
    pub format: Format,
    pub fields: FormFields,
    pub photo: Option<Vec<u8>>,
    pub client: ClientIp,
}

impl FromRequest<SharedServices> for ProfilePost {
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        services: &SharedServices,
    ) -> Result<ProfilePost, ApiError> {
        let (format, fields, photo, client) =
            read_post(request, services, super::MAX_BODY_WITH_PHOTO).await?;
        Ok(ProfilePost {
            format,
            fields,
            photo,
            client,
        })
    }
}

/// [`FormPost`] that may also come as `multipart/form-data` (the site's forms sent by their
/// script), within the 64 KiB of any post; a file in it is refused by the caller.
pub struct MultipartPost {
    pub format: Format,
    pub fields: FormFields,
    pub file: Option<Vec<u8>>,
    pub client: ClientIp,
}

impl FromRequest<SharedServices> for MultipartPost {
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        services: &SharedServices,
    ) -> Result<MultipartPost, ApiError> {
        let (format, fields, file, client) = read_post(request, services, super::MAX_BODY).await?;
        Ok(MultipartPost {
            format,
            fields,
            file,
            client,
        })
    }
}

type ReadPost = (Format, FormFields, Option<Vec<u8>>, ClientIp);

async fn read_post(
    request: Request,
    services: &SharedServices,
    limit: usize,
) -> Result<ReadPost, ApiError> {
    let (mut parts, body) = request.into_parts();
    let client = ClientIp::from_request_parts(&mut parts, services).await?;
    let headers = parts.headers.clone();
    let (format, fields, photo) =
        super::read_fields_and_photo(Request::from_parts(parts, body), limit).await?;
    check_origin(&headers, services, format)?;
    Ok((format, fields, photo, client))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ip: &str) -> String {
        ClientIp(ip.parse().unwrap()).rate_key()
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_network() {
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn forwarded_headers_are_not_an_address() {
        let (mut parts, _) = axum::http::Request::builder()
            .header("x-forwarded-for", "198.51.100.1")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(ClientIp::from_parts(&parts), None);
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 9], 5555))));
        assert_eq!(
            ClientIp::from_parts(&parts),
            Some(ClientIp("192.0.2.9".parse().unwrap()))
        );
    }

    #[cfg(feature = "aws")]
    #[test]
    fn on_lambda_the_gateway_saw_the_client() {
        use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
        use lambda_http::request::RequestContext;
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some("2001:db8::7".into());
        let (mut parts, _) = axum::http::Request::builder()
            .header("x-forwarded-for", "198.51.100.1")
            .body(())
            .unwrap()
            .into_parts();
        parts
            .extensions
            .insert(RequestContext::ApiGatewayV2(context));
        assert_eq!(
            ClientIp::from_parts(&parts),
            Some(ClientIp("2001:db8::7".parse().unwrap()))
        );
    }
}

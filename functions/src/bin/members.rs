//! The members function: on AWS Lambda when `AWS_LAMBDA_RUNTIME_API` is set, else locally.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    functions::runtime::main(functions::http::members_app).await
}

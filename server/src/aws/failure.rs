//! A failed AWS call as an action reports it: AWS's error code and message, or what went wrong
//! on the way there, and what the failure says about the change (`domain::execution::classify`).
//! Shared by the action calls, the operators' role sessions and the autoscaling range change.

use app::domain::execution::{classify, CallEnd};
use app::ports::ActionFailure;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// How a failed call ended, for [`classify`].
fn call_end<E>(
    error: &aws_sdk_ecs::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> CallEnd {
    use aws_sdk_ecs::error::SdkError;
    match error {
        SdkError::ConstructionFailure(_) => CallEnd::NotSent,
        SdkError::ServiceError(e) => CallEnd::Answered(e.raw().status().as_u16()),
        _ => CallEnd::NoAnswer,
    }
}

/// AWS's code and message, or what went wrong on the way there, and what it says about the
/// change.
pub(crate) fn failure<E>(
    error: aws_sdk_ecs::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> ActionFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_ecs::error::SdkError;
    let outcome = classify(call_end(&error));
    let (code, message) = match &error {
        SdkError::ServiceError(e) => (
            e.err().code().unwrap_or("Unknown").to_string(),
            e.err()
                .message()
                .unwrap_or("AWS gave no message")
                .to_string(),
        ),
        SdkError::TimeoutError(_) => (
            "Timeout".to_string(),
            "AWS did not answer in time".to_string(),
        ),
        SdkError::DispatchFailure(_) => (
            "Unreachable".to_string(),
            super::convert::error_text("the request could not be completed", &error),
        ),
        SdkError::ConstructionFailure(_) => (
            "NotSent".to_string(),
            super::convert::error_text("the request could not be made", &error),
        ),
        _ => (
            "Unknown".to_string(),
            super::convert::error_text("the call failed", &error),
        ),
    };
    ActionFailure {
        code,
        message,
        outcome,
    }
}

//! CSV downloads: a finished export answered as a file (`text/csv`,
//! `Content-Disposition: attachment`). The bytes come from the one CSV writer
//! in the core; this module only frames them for HTTP.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use reserv_app::deviations::CsvExport;

/// A CSV export as a file download.
pub fn csv_response(export: CsvExport) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.filename))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8; header=present")),
            (CONTENT_DISPOSITION, disposition),
        ],
        export.body,
    )
        .into_response()
}

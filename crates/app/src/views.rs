//! Composite views: one service call for each page that shows several
//! things at once, so the page's handler only renders, the outage is read
//! and folded once per request, and what the viewer may see is decided here
//! (by [`reserv_core::access`]), never in the web layer.

use std::sync::Arc;

use serde::Serialize;

use reserv_core::access::Permissions;
use reserv_core::ids::OutageId;
use reserv_core::routine::RoutineSet;

use crate::notifications::MessageView;
use crate::outages::OutageView;
use crate::worklists::BackEntryReport;
use crate::{App, AppError, Principal};

/// Everything an outage's page shows.
#[derive(Debug, Clone)]
pub struct OutagePage {
    pub outage: OutageView,
    /// What the viewer may do and read.
    pub permissions: Permissions,
    /// The routines in service (for the consequences and the steps), if any.
    pub routines: Option<Arc<RoutineSet>>,
    /// Back-entry, when the outage has worklists (ended, with a policy).
    pub backentry: Option<BackEntrySummary>,
    /// The outage's messages with their delivery state (empty when none).
    pub messages: Vec<MessageView>,
}

/// What the outage page shows about back-entry.
#[derive(Debug, Clone, Serialize)]
pub struct BackEntrySummary {
    /// The completion report, for those who may read reports.
    pub report: Option<BackEntryReport>,
}

impl App {
    /// An outage's page for a logged-in person: the outage with its
    /// timeline and assessment, the routines, back-entry progress (the
    /// report only for those who may read it) and the messages.
    pub async fn outage_page(&self, p: &Principal, id: OutageId) -> Result<OutagePage, AppError> {
        let outage = self.load(id).await?;
        let permissions = Permissions::of(p.user.role);
        let backentry = if self.has_worklists(&outage) {
            let report =
                if permissions.reads_reports { Some(self.backentry_report_for(outage.clone()).await?) } else { None };
            Some(BackEntrySummary { report })
        } else {
            None
        };
        let messages = self.messages_of(p, id).await?;
        Ok(OutagePage {
            outage: self.view(outage, self.now()),
            permissions,
            routines: self.routines(),
            backentry,
            messages,
        })
    }
}

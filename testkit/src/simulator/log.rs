//! [`DeliveryLog`]: a snapshot of every delivery, readable as a table.

use std::fmt;

use super::DeliveryReport;

/// Every delivery a simulator has queued so far, in the order they were queued.
///
/// `Display` renders one line per delivery: event name, event id, state and the attempts as
/// `<status>@<virtual offset>`:
///
/// ```text
/// event          event id  state      attempts
/// pointsIssued   e-1       delivered  503@0s 429@30s 200@90s
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryLog(pub Vec<DeliveryReport>);

impl DeliveryLog {
    /// The deliveries, in the order they were queued.
    pub fn iter(&self) -> std::slice::Iter<'_, DeliveryReport> {
        self.0.iter()
    }

    /// How many deliveries were queued (duplicates count separately).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was queued yet.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first delivery of the event with this `eventId`.
    pub fn find_by_event_id(&self, event_id: &str) -> Option<&DeliveryReport> {
        self.iter()
            .find(|report| report.event_id.as_deref() == Some(event_id))
    }

    /// Every delivery of the event with this `eventId` (more than one with duplicates).
    pub fn all_by_event_id<'a>(
        &'a self,
        event_id: &'a str,
    ) -> impl Iterator<Item = &'a DeliveryReport> + 'a {
        self.iter()
            .filter(move |report| report.event_id.as_deref() == Some(event_id))
    }
}

impl<'a> IntoIterator for &'a DeliveryLog {
    type Item = &'a DeliveryReport;
    type IntoIter = std::slice::Iter<'a, DeliveryReport>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for DeliveryLog {
    type Item = DeliveryReport;
    type IntoIter = std::vec::IntoIter<DeliveryReport>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for DeliveryLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<[String; 4]> = self
            .iter()
            .map(|report| {
                let mut state = report.state.to_string();
                if report.duplicate {
                    state.push_str(" (dup)");
                }
                [
                    report.event_name.clone(),
                    report.event_id.clone().unwrap_or_else(|| "-".to_owned()),
                    state,
                    report.attempts_summary(),
                ]
            })
            .collect();
        let header = ["event", "event id", "state", "attempts"].map(str::to_owned);
        let width = |column: usize| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths = [width(0), width(1), width(2)];
        for row in std::iter::once(&header).chain(&rows) {
            writeln!(
                f,
                "{:<w0$}  {:<w1$}  {:<w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
            )?;
        }
        Ok(())
    }
}

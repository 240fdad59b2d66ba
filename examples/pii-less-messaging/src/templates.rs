//! [`MessageKind`] and [`Templates`]: which message each event sends, and its wording.

use std::fmt;

use crate::{Template, TemplateError, Vars};

/// The message an event sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// `customerAdded`: welcome to the programme.
    Welcome,
    /// `pointsIssued`: points earned and the new balance.
    PointsIssued,
    /// `pointsRedeemed`: points spent and their value.
    PointsRedeemed,
    /// `tierUpgraded`: the new, higher tier.
    TierUpgraded,
    /// `tierDowngraded`: the new, lower tier.
    TierDowngraded,
    /// `pointsExpiryReminder`: points about to expire.
    PointsExpiryReminder,
    /// `CouponIssue`: a coupon code to use.
    CouponIssued,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 7] = [
        Self::Welcome,
        Self::PointsIssued,
        Self::PointsRedeemed,
        Self::TierUpgraded,
        Self::TierDowngraded,
        Self::PointsExpiryReminder,
        Self::CouponIssued,
    ];

    /// The placeholders a template of this kind may use. `first_name` comes from the brand's
    /// store; the others from the event.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Self::Welcome => &["first_name"],
            Self::PointsIssued => &["first_name", "points", "balance"],
            Self::PointsRedeemed => &["first_name", "points", "value"],
            Self::TierUpgraded | Self::TierDowngraded => &["first_name", "tier", "expiry_date"],
            Self::PointsExpiryReminder => &["first_name", "points", "expiry_date"],
            Self::CouponIssued => &[
                "first_name",
                "coupon_code",
                "coupon_description",
                "valid_till",
            ],
        }
    }

    /// The built-in wording: email subject, then body (the body is also the SMS text).
    fn default_text(self) -> (&'static str, &'static str) {
        match self {
            Self::Welcome => (
                "Welcome to the club",
                "Hi {first_name}, welcome to the club! Your membership is active.",
            ),
            Self::PointsIssued => (
                "You earned {points} points",
                "Hi {first_name}, you earned {points} points. Your balance is now {balance} points.",
            ),
            Self::PointsRedeemed => (
                "You redeemed {points} points",
                "Hi {first_name}, you redeemed {points} points worth {value}. Thank you!",
            ),
            Self::TierUpgraded => (
                "Welcome to {tier}",
                "Congratulations {first_name}! You are now a {tier} member, until {expiry_date}.",
            ),
            Self::TierDowngraded => (
                "Your membership is now {tier}",
                "Hi {first_name}, your membership is now {tier}, valid until {expiry_date}. \
                 Shop with us to move back up!",
            ),
            Self::PointsExpiryReminder => (
                "Your points expire on {expiry_date}",
                "Hi {first_name}, {points} points expire on {expiry_date}. Use them before they go!",
            ),
            Self::CouponIssued => (
                "Your coupon {coupon_code}",
                "Hi {first_name}, here is your coupon {coupon_code}: {coupon_description}. \
                 Valid till {valid_till}.",
            ),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Welcome => "welcome",
            Self::PointsIssued => "points_issued",
            Self::PointsRedeemed => "points_redeemed",
            Self::TierUpgraded => "tier_upgraded",
            Self::TierDowngraded => "tier_downgraded",
            Self::PointsExpiryReminder => "points_expiry_reminder",
            Self::CouponIssued => "coupon_issued",
        };
        f.write_str(name)
    }
}

/// One message's wording: the email subject and the body (also the SMS text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageTemplate {
    /// The email subject.
    pub subject: Template,
    /// The email body and SMS text.
    pub body: Template,
}

/// A rendered message: personal data, so `Debug` is redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The email subject.
    pub subject: capillary_ens_schemas::Pii<String>,
    /// The email body and SMS text.
    pub body: capillary_ens_schemas::Pii<String>,
}

/// The wording of every [`MessageKind`]; [`Templates::default`] has a built-in text for each.
///
/// ```
/// use example_pii_less_messaging::{MessageKind, Templates, Vars};
///
/// let templates = Templates::default().set(
///     MessageKind::PointsIssued,
///     "+{points} points",
///     "{first_name}: +{points} points, {balance} in total.",
/// )?;
/// let vars = Vars::new().set("first_name", "Asha").set("points", "150").set("balance", "1270.5");
/// let message = templates.render(MessageKind::PointsIssued, &vars);
/// assert_eq!(message.body.expose(), "Asha: +150 points, 1270.5 in total.");
/// assert_eq!(message.subject.expose(), "+150 points");
/// # Ok::<(), example_pii_less_messaging::TemplateError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Templates {
    by_kind: Vec<MessageTemplate>,
}

impl Default for Templates {
    fn default() -> Self {
        let by_kind = MessageKind::ALL
            .iter()
            .map(|kind| {
                let (subject, body) = kind.default_text();
                let known = kind.placeholders();
                // The built-in texts only use their kind's placeholders (tested below), so
                // parsing cannot fail; an empty template would be the fallback if it did.
                MessageTemplate {
                    subject: Template::parse(subject, known).unwrap_or_default(),
                    body: Template::parse(body, known).unwrap_or_default(),
                }
            })
            .collect();
        Self { by_kind }
    }
}

impl Templates {
    /// Replaces the wording of `kind`; fails when a placeholder is not one of
    /// [`MessageKind::placeholders`] or a brace is unbalanced.
    pub fn set(
        mut self,
        kind: MessageKind,
        subject: &str,
        body: &str,
    ) -> Result<Self, TemplateError> {
        let known = kind.placeholders();
        let template = MessageTemplate {
            subject: Template::parse(subject, known)?,
            body: Template::parse(body, known)?,
        };
        if let Some(slot) = self.by_kind.get_mut(kind.index()) {
            *slot = template;
        }
        Ok(self)
    }

    /// The wording of `kind`.
    pub fn get(&self, kind: MessageKind) -> Option<&MessageTemplate> {
        self.by_kind.get(kind.index())
    }

    /// The message of `kind` with `vars` filled in.
    pub fn render(&self, kind: MessageKind, vars: &Vars) -> Rendered {
        let (subject, body) = match self.get(kind) {
            Some(template) => (template.subject.render(vars), template.body.render(vars)),
            None => (String::new(), String::new()),
        };
        Rendered {
            subject: subject.into(),
            body: body.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_text_parses_with_its_kinds_placeholders() {
        for kind in MessageKind::ALL {
            let (subject, body) = kind.default_text();
            Template::parse(subject, kind.placeholders()).unwrap();
            let body = Template::parse(body, kind.placeholders()).unwrap();
            assert!(
                body.placeholders().count() >= 1,
                "{kind} uses no placeholder"
            );
        }
    }

    #[test]
    fn set_rejects_placeholders_of_other_events() {
        let error = Templates::default()
            .set(MessageKind::Welcome, "Hi", "You have {points} points")
            .unwrap_err();
        assert!(matches!(error, TemplateError::UnknownPlaceholder { .. }));
    }
}

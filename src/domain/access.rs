//! Who may do what: roles, the scope a caller acts in, and the access each route declares.
//! The single place these rules live; handlers and repositories ask it.

use super::text_enum;

text_enum! {
    /// What a caller is (DESIGN.md "Who uses it").
    Role {
        Admin => "admin",
        Office => "office",
        Government => "government",
        Employer => "employer",
        Worker => "worker",
        Viewer => "viewer",
    }
}

impl Role {
    /// Government, employer and worker users speak for one organization of one country.
    pub fn is_constituent(self) -> bool {
        matches!(self, Role::Government | Role::Employer | Role::Worker)
    }
}

text_enum! {
    /// The kinds of record the audit log speaks of (its `entity` column).
    EntityKind {
        Ratification => "ratification",
        Convention => "convention",
        Organization => "organization",
        Gap => "gap",
        Milestone => "milestone",
        MilestoneComment => "milestone_comment",
        ReportRequest => "report_request",
        ReportSchedule => "report_schedule",
        Task => "task",
        User => "user",
        Token => "token",
        FeedToken => "feed_token",
        SupervisoryComment => "supervisory_comment",
        TradeArrangement => "trade_arrangement",
        RbcInitiative => "rbc_initiative",
        RbcActivity => "rbc_activity",
        RbcActivityNote => "rbc_activity_note",
        Programme => "programme",
        Webhook => "webhook",
        Subscription => "subscription",
        ReminderDefaults => "reminder_defaults",
    }
}

/// Every role.
pub const ANY_ROLE: &[Role] = &[
    Role::Admin,
    Role::Office,
    Role::Government,
    Role::Employer,
    Role::Worker,
    Role::Viewer,
];
/// Administrators only.
pub const ADMIN: &[Role] = &[Role::Admin];
/// Administrators, country-office staff and governments (report request status).
pub const ADMIN_OFFICE_GOVERNMENT: &[Role] = &[Role::Admin, Role::Office, Role::Government];
/// Administrators and country-office staff.
pub const ADMIN_OFFICE: &[Role] = &[Role::Admin, Role::Office];
/// People (not dashboard tokens).
pub const PEOPLE: &[Role] = &[
    Role::Admin,
    Role::Office,
    Role::Government,
    Role::Employer,
    Role::Worker,
];

/// The access a route declares: no token, or a token of one of these roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    Roles(&'static [Role]),
    /// Public data (countries, instruments, ratifications, dashboard aggregates, trade
    /// arrangements, supervisory comments): every role, and anyone without a token when the
    /// public read is on.
    OpenData,
    /// A calendar feed: a bearer token of one of these roles, or a feed token of a person of
    /// one of these roles in the `token` query parameter (calendar clients send no headers).
    Feed(&'static [Role]),
}

impl Access {
    pub fn admits(self, role: Role) -> bool {
        match self {
            Access::Public | Access::OpenData => true,
            Access::Roles(roles) | Access::Feed(roles) => roles.contains(&role),
        }
    }
}

/// Who is calling: a person, or a dashboard token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    User(i32),
    DashboardToken(i32),
    /// A person's read-only calendar feed token: opens the calendar feed only.
    FeedToken(i32),
    /// An operator at the command line (who has the database itself).
    Cli,
    /// Anyone without a token, on the routes of public data when the public read is on
    /// (`NORMTRACK_PUBLIC_READ=true`): reads what a dashboard token reads there, nothing else.
    Public,
}

/// The authenticated caller, with the countries it acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal: Principal,
    pub role: Role,
    /// For `office`: the countries covered; for a constituent: its one country.
    pub countries: Vec<String>,
    /// For a constituent: its organization.
    pub organization: Option<i32>,
}

/// The countries whose non-public records a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Admin: every country.
    Global,
    /// Office and constituents: these countries.
    Countries(Vec<String>),
    /// Dashboards: public data only.
    PublicOnly,
}

impl Scope {
    /// The countries a query in this scope is limited to; `None`: every country.
    pub fn countries(&self) -> Option<Vec<String>> {
        match self {
            Scope::Global => None,
            Scope::Countries(c) => Some(c.clone()),
            Scope::PublicOnly => Some(Vec::new()),
        }
    }
}

impl Caller {
    pub fn user_id(&self) -> Option<i32> {
        match self.principal {
            Principal::User(id) => Some(id),
            Principal::DashboardToken(_) | Principal::FeedToken(_) | Principal::Cli | Principal::Public => {
                None
            }
        }
    }

    /// What to record as the actor of a change.
    pub fn actor(&self) -> String {
        match self.principal {
            Principal::User(id) => format!("user:{id}"),
            Principal::DashboardToken(id) => format!("token:{id}"),
            Principal::FeedToken(id) => format!("feed:{id}"),
            Principal::Cli => "cli".to_string(),
            Principal::Public => "public".to_string(),
        }
    }

    /// Anyone without a token, on a route of public data with the public read on: a viewer
    /// of no account.
    pub fn public() -> Caller {
        Caller {
            principal: Principal::Public,
            role: Role::Viewer,
            countries: Vec::new(),
            organization: None,
        }
    }

    /// The operator at the command line: an administrator.
    pub fn cli() -> Caller {
        Caller {
            principal: Principal::Cli,
            role: Role::Admin,
            countries: Vec::new(),
            organization: None,
        }
    }

    /// The scope for reading records that are not public.
    pub fn read_scope(&self) -> Scope {
        match self.role {
            // Office staff read everything (DESIGN.md); they write only their countries.
            Role::Admin | Role::Office => Scope::Global,
            Role::Government | Role::Employer | Role::Worker => Scope::Countries(self.countries.clone()),
            Role::Viewer => Scope::PublicOnly,
        }
    }

    /// The scope of a caller's own work (tasks, deadlines, calendar feeds): administrators
    /// every country; office staff and constituents only their countries.
    pub fn work_scope(&self) -> Scope {
        match self.role {
            Role::Admin => Scope::Global,
            Role::Office | Role::Government | Role::Employer | Role::Worker => {
                Scope::Countries(self.countries.clone())
            }
            Role::Viewer => Scope::PublicOnly,
        }
    }

    /// The scope in which the caller may read records of `kind` through that kind's own
    /// endpoints; `None` when it may read none of them. The audit log shows a caller exactly
    /// the entries of records it could read this way (one rule for both).
    pub fn scope_for(&self, kind: EntityKind) -> Option<Scope> {
        match kind {
            EntityKind::Ratification
            | EntityKind::Convention
            | EntityKind::Organization
            | EntityKind::Gap
            | EntityKind::Milestone
            | EntityKind::MilestoneComment
            | EntityKind::ReportRequest
            | EntityKind::ReportSchedule
            | EntityKind::SupervisoryComment
            | EntityKind::TradeArrangement
            | EntityKind::RbcInitiative
            | EntityKind::RbcActivity
            | EntityKind::RbcActivityNote
            | EntityKind::ReminderDefaults => Some(self.read_scope()),
            // Programmes span countries: those who see every country see their history.
            EntityKind::Programme => (self.read_scope() == Scope::Global).then_some(Scope::Global),
            // Tasks (and the deadlines built from them) are the caller's own work.
            EntityKind::Task => Some(self.work_scope()),
            // Accounts and dashboard tokens: `/users` and `/tokens` are the administrator's;
            // anyone's feed tokens likewise (a person lists their own at `/feed-tokens`).
            // Webhook endpoints may span countries and carry secrets' history: administrators.
            EntityKind::User
            | EntityKind::Token
            | EntityKind::FeedToken
            | EntityKind::Webhook
            | EntityKind::Subscription => (self.role == Role::Admin).then_some(Scope::Global),
        }
        .filter(|scope| *scope != Scope::PublicOnly)
    }

    /// For each kind of record, the scope in which the caller may read its audit entries;
    /// kinds it may not read are left out.
    pub fn audit_visibility(&self) -> Vec<(EntityKind, Scope)> {
        EntityKind::ALL
            .iter()
            .filter_map(|kind| self.scope_for(*kind).map(|scope| (*kind, scope)))
            .collect()
    }

    /// Whether the caller may see the non-public records of `country`.
    pub fn may_read_country(&self, country: &str) -> bool {
        match self.read_scope() {
            Scope::Global => true,
            Scope::Countries(countries) => countries.iter().any(|c| c == country),
            Scope::PublicOnly => false,
        }
    }

    /// Whether the caller may change the country-office records (ratifications,
    /// organizations, reforms, report requests) of `country`.
    pub fn may_administer_country(&self, country: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Office => self.countries.iter().any(|c| c == country),
            _ => false,
        }
    }

    /// Whether the caller may list the feed tokens of account `owner` (`None`: everyone's):
    /// its own, and an administrator anyone's.
    pub fn may_list_feed_tokens_of(&self, owner: Option<i32>) -> bool {
        self.role == Role::Admin || (owner.is_some() && owner == self.user_id())
    }

    /// Whether the caller may register, see and stop a webhook endpoint that follows events
    /// of `countries` (`None`: every country): an administrator any; an office user one
    /// limited to countries it covers; nobody else.
    pub fn may_manage_webhook(&self, countries: Option<&[String]>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Office => countries
                .is_some_and(|list| !list.is_empty() && list.iter().all(|c| self.countries.contains(c))),
            _ => false,
        }
    }

    /// Whether the caller may be told of report requests' status changes in `countries`
    /// (`None`: every country) by e-mail: only of countries whose report requests it reads.
    pub fn may_follow_report_requests(&self, countries: Option<&[String]>) -> bool {
        match self.read_scope() {
            Scope::Global => true,
            Scope::Countries(mine) => {
                countries.is_some_and(|list| !list.is_empty() && list.iter().all(|c| mine.contains(c)))
            }
            Scope::PublicOnly => false,
        }
    }

    /// Whether the caller may create, change or reset other people's accounts: an
    /// administrator (at the command line too), nobody else.
    pub fn may_manage_accounts(&self) -> bool {
        self.role == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_list_their_own_feed_tokens_and_administrators_anyones() {
        let person = |role| Caller {
            principal: Principal::User(7),
            role,
            countries: Vec::new(),
            organization: None,
        };
        assert!(person(Role::Worker).may_list_feed_tokens_of(Some(7)));
        assert!(!person(Role::Worker).may_list_feed_tokens_of(Some(8)));
        assert!(!person(Role::Office).may_list_feed_tokens_of(None));
        assert!(person(Role::Admin).may_list_feed_tokens_of(Some(8)));
        assert!(person(Role::Admin).may_list_feed_tokens_of(None));
    }

    #[test]
    fn only_administrators_manage_accounts() {
        assert!(Caller::cli().may_manage_accounts());
        for role in [
            Role::Office,
            Role::Government,
            Role::Employer,
            Role::Worker,
            Role::Viewer,
        ] {
            let caller = Caller {
                role,
                ..Caller::cli()
            };
            assert!(!caller.may_manage_accounts(), "{role}");
        }
    }

    #[test]
    fn offices_manage_webhooks_of_their_countries_only() {
        let office = caller(Role::Office, &["VNM", "KHM"]);
        let list = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(office.may_manage_webhook(Some(&list(&["VNM"]))));
        assert!(office.may_manage_webhook(Some(&list(&["VNM", "KHM"]))));
        assert!(!office.may_manage_webhook(Some(&list(&["VNM", "ZWE"]))));
        assert!(!office.may_manage_webhook(Some(&[])));
        assert!(!office.may_manage_webhook(None));
        assert!(caller(Role::Admin, &[]).may_manage_webhook(None));
        assert!(!caller(Role::Government, &["VNM"]).may_manage_webhook(Some(&list(&["VNM"]))));
    }

    fn caller(role: Role, countries: &[&str]) -> Caller {
        Caller {
            principal: Principal::User(1),
            role,
            countries: countries.iter().map(|c| c.to_string()).collect(),
            organization: None,
        }
    }

    #[test]
    fn admin_administers_every_country() {
        assert!(caller(Role::Admin, &[]).may_administer_country("VNM"));
        assert_eq!(caller(Role::Admin, &[]).read_scope(), Scope::Global);
    }

    #[test]
    fn office_administers_only_its_countries() {
        let office = caller(Role::Office, &["ZWE", "VNM"]);
        assert!(office.may_administer_country("VNM"));
        assert!(!office.may_administer_country("BRA"));
        assert!(office.may_read_country("BRA"), "office staff read every country");
        assert_eq!(
            office.work_scope(),
            Scope::Countries(vec!["ZWE".into(), "VNM".into()]),
            "but work only on theirs"
        );
    }

    #[test]
    fn constituents_read_their_country_and_administer_nothing() {
        for role in [Role::Government, Role::Employer, Role::Worker] {
            let c = caller(role, &["ZWE"]);
            assert!(c.may_read_country("ZWE"));
            assert!(!c.may_read_country("VNM"));
            assert!(!c.may_administer_country("ZWE"));
        }
    }

    #[test]
    fn viewer_sees_public_data_only() {
        let viewer = Caller {
            principal: Principal::DashboardToken(3),
            ..caller(Role::Viewer, &[])
        };
        assert_eq!(viewer.read_scope(), Scope::PublicOnly);
        assert!(!viewer.may_read_country("ZWE"));
        assert_eq!(viewer.actor(), "token:3");
    }

    #[test]
    fn audit_shows_office_staff_their_countries_tasks_and_no_accounts() {
        let office = caller(Role::Office, &["VNM"]);
        assert_eq!(
            office.scope_for(EntityKind::Task),
            Some(Scope::Countries(vec!["VNM".into()]))
        );
        assert_eq!(office.scope_for(EntityKind::Ratification), Some(Scope::Global));
        for kind in [EntityKind::User, EntityKind::Token, EntityKind::FeedToken] {
            assert_eq!(office.scope_for(kind), None, "{kind}");
            assert!(!office.audit_visibility().iter().any(|(k, _)| *k == kind));
        }
        let admin = caller(Role::Admin, &[]);
        assert_eq!(admin.audit_visibility().len(), EntityKind::ALL.len());
        assert!(admin.audit_visibility().iter().all(|(_, s)| *s == Scope::Global));
    }

    #[test]
    fn audit_shows_constituents_their_country_and_viewers_nothing() {
        let worker = caller(Role::Worker, &["ZWE"]);
        assert!(worker
            .audit_visibility()
            .iter()
            .all(|(_, s)| *s == Scope::Countries(vec!["ZWE".into()])));
        let viewer = caller(Role::Viewer, &[]);
        assert!(viewer.audit_visibility().is_empty());
    }

    #[test]
    fn access_admits_declared_roles_only() {
        assert!(Access::Roles(ADMIN_OFFICE).admits(Role::Office));
        assert!(!Access::Roles(ADMIN_OFFICE).admits(Role::Worker));
        assert!(Access::Public.admits(Role::Viewer));
    }
}

//! Diesel table definitions shared by both engines (portable column types only).

diesel::table! {
    app_meta (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    countries (iso3) {
        iso3 -> Text,
        iso2 -> Text,
        un_m49 -> Text,
        name -> Text,
        region -> Text,
        region_basis -> Text,
        member_since -> Nullable<Date>,
        source -> Text,
    }
}

diesel::table! {
    conventions (code) {
        code -> Text,
        instrument_type -> Text,
        title -> Text,
        short_title -> Text,
        category -> Text,
        principle -> Nullable<Text>,
        parent -> Nullable<Text>,
        adopted_year -> Integer,
        adopted_on -> Nullable<Date>,
        in_force_on -> Nullable<Date>,
        dates_source -> Text,
        dates_confidence -> Text,
        normlex_id -> Nullable<Text>,
        reference_ratifications -> Nullable<Integer>,
        reference_ratifications_as_of -> Nullable<Text>,
        reference_ratifications_source -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    organizations (id) {
        id -> Integer,
        country -> Text,
        kind -> Text,
        name -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ratifications (country, convention) {
        country -> Text,
        convention -> Text,
        status -> Text,
        stage -> Nullable<Text>,
        registered_on -> Nullable<Date>,
        in_force_on -> Nullable<Date>,
        denounced_on -> Nullable<Date>,
        minimum_age -> Nullable<Integer>,
        notes -> Text,
        source -> Text,
        source_date -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        source_incomplete -> Bool,
    }
}

diesel::table! {
    ratification_history (id) {
        id -> Integer,
        country -> Text,
        convention -> Text,
        version -> Integer,
        actor -> Text,
        changed_at -> Timestamp,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::table! {
    /// How many audit entries there are per (entity, country), kept by a trigger (the
    /// `read_paths` migration); on PostgreSQL a pair may have several rows, to be summed.
    audit_counts (entity, country) {
        entity -> Text,
        country -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        country -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::table! {
    gaps (id) {
        id -> Integer,
        country -> Text,
        title -> Text,
        description -> Text,
        source -> Text,
        source_link -> Nullable<Text>,
        status -> Text,
        closed_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        opened_on -> Nullable<Date>,
    }
}

diesel::table! {
    gap_conventions (gap_id, convention) {
        gap_id -> Integer,
        convention -> Text,
    }
}

diesel::table! {
    milestones (id) {
        id -> Integer,
        gap_id -> Integer,
        kind -> Text,
        title -> Text,
        target_on -> Date,
        completed_on -> Nullable<Date>,
        status -> Text,
        organization -> Nullable<Integer>,
        evidence_link -> Nullable<Text>,
        notes -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    milestone_comments (id) {
        id -> Integer,
        milestone_id -> Integer,
        author -> Text,
        organization -> Nullable<Integer>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rbc_activities (id) {
        id -> Integer,
        initiative_id -> Integer,
        country -> Nullable<Text>,
        kind -> Text,
        title -> Text,
        target_on -> Date,
        completed_on -> Nullable<Date>,
        status -> Text,
        organization -> Nullable<Integer>,
        evidence_link -> Nullable<Text>,
        notes -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rbc_activity_notes (id) {
        id -> Integer,
        activity_id -> Integer,
        author -> Text,
        organization -> Nullable<Integer>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    programmes (id) {
        id -> Integer,
        name -> Text,
        starts_on -> Date,
        ends_on -> Date,
        notes -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    programme_countries (programme_id, country) {
        programme_id -> Integer,
        country -> Text,
    }
}

diesel::joinable!(milestones -> gaps (gap_id));
diesel::joinable!(gap_conventions -> gaps (gap_id));
diesel::joinable!(organizations -> countries (country));
diesel::joinable!(ratifications -> countries (country));
diesel::joinable!(ratifications -> conventions (convention));

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        email_key -> Text,
        display_name -> Text,
        role -> Text,
        country -> Nullable<Text>,
        organization -> Nullable<Integer>,
        active -> Bool,
        password_hash -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_version -> Integer,
        sso_only -> Bool,
    }
}

diesel::table! {
    user_countries (user_id, country) {
        user_id -> Integer,
        country -> Text,
    }
}

diesel::table! {
    dashboard_tokens (id) {
        id -> Integer,
        name -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(user_countries -> users (user_id));

diesel::table! {
    report_schedules (id) {
        id -> Integer,
        country -> Text,
        convention -> Text,
        cycle_years -> Integer,
        next_regular_year -> Integer,
        basis -> Text,
        notes -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_requests (id) {
        id -> Integer,
        kind -> Text,
        country -> Text,
        year -> Integer,
        due_on -> Date,
        detailed -> Bool,
        status -> Text,
        submitted_on -> Nullable<Date>,
        reason -> Nullable<Text>,
        generation_key -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_request_conventions (report_request_id, convention) {
        report_request_id -> Integer,
        convention -> Text,
    }
}

diesel::table! {
    tasks (id) {
        id -> Integer,
        report_request_id -> Integer,
        kind -> Text,
        organization -> Integer,
        title -> Text,
        due_on -> Date,
        status -> Text,
        completed_on -> Nullable<Date>,
        notes -> Text,
        generation_key -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    feed_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    trade_arrangements (slug) {
        slug -> Text,
        name -> Text,
        kind -> Text,
        kind_as_given -> Text,
        granting_parties -> Text,
        partner_scope -> Text,
        legal_act -> Text,
        labour_provisions -> Text,
        commitment -> Text,
        enforcement -> Text,
        status -> Text,
        signed_on -> Nullable<Date>,
        applies_from -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        notes -> Text,
        source -> Text,
        source_date -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    trade_arrangement_events (id) {
        id -> Integer,
        arrangement -> Text,
        country -> Text,
        country_name -> Text,
        event -> Text,
        event_as_given -> Text,
        occurred_on -> Nullable<Text>,
        legal_act -> Text,
        notes -> Text,
        source -> Text,
        source_date -> Nullable<Text>,
    }
}

diesel::table! {
    trade_arrangement_instruments (id) {
        id -> Integer,
        arrangement -> Text,
        position -> Integer,
        list_ref -> Text,
        country -> Nullable<Text>,
        convention -> Nullable<Text>,
        named_as -> Text,
        is_ilo -> Bool,
        commitment_type -> Text,
        article -> Text,
        notes -> Text,
        source -> Text,
        source_date -> Nullable<Text>,
    }
}

diesel::table! {
    supervisory_comments (id) {
        id -> Integer,
        normlex_id -> Nullable<Text>,
        body -> Text,
        kind -> Text,
        country -> Text,
        year -> Integer,
        ilc_session -> Nullable<Integer>,
        published_year -> Nullable<Integer>,
        footnote -> Text,
        reply_requested_for -> Nullable<Integer>,
        case_of_progress -> Nullable<Bool>,
        headings -> Text,
        observations_cited -> Text,
        label -> Text,
        link -> Nullable<Text>,
        notes -> Text,
        source -> Text,
        source_date -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    supervisory_comment_conventions (comment_id, convention) {
        comment_id -> Integer,
        convention -> Text,
    }
}

diesel::table! {
    gap_comments (gap_id, comment_id) {
        gap_id -> Integer,
        comment_id -> Integer,
    }
}

diesel::table! {
    rbc_initiatives (id) {
        id -> Integer,
        name -> Text,
        kind -> Text,
        kind_as_given -> Text,
        sectors -> Text,
        sectors_as_given -> Text,
        partners -> Text,
        funders -> Text,
        instruments_as_given -> Text,
        starts -> Nullable<Text>,
        ends -> Nullable<Text>,
        status -> Nullable<Text>,
        parent -> Nullable<Integer>,
        notes -> Text,
        source -> Text,
        source_date -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rbc_initiative_countries (initiative_id, country) {
        initiative_id -> Integer,
        country -> Text,
    }
}

diesel::table! {
    rbc_initiative_conventions (initiative_id, convention) {
        initiative_id -> Integer,
        convention -> Text,
    }
}

diesel::table! {
    rbc_initiative_arrangements (initiative_id, arrangement) {
        initiative_id -> Integer,
        arrangement -> Text,
    }
}

diesel::table! {
    rbc_initiative_organizations (initiative_id, organization_id) {
        initiative_id -> Integer,
        organization_id -> Integer,
    }
}

diesel::joinable!(trade_arrangement_events -> trade_arrangements (arrangement));
diesel::joinable!(trade_arrangement_instruments -> trade_arrangements (arrangement));
diesel::joinable!(supervisory_comment_conventions -> supervisory_comments (comment_id));
diesel::joinable!(report_request_conventions -> report_requests (report_request_id));
diesel::joinable!(tasks -> report_requests (report_request_id));
diesel::joinable!(feed_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    app_meta,
    countries,
    conventions,
    organizations,
    ratifications,
    ratification_history,
    users,
    user_countries,
    dashboard_tokens,
    audit_log,
    gaps,
    gap_conventions,
    milestones,
    milestone_comments,
    report_schedules,
    report_requests,
    report_request_conventions,
    tasks,
    feed_tokens,
    trade_arrangements,
    trade_arrangement_events,
    trade_arrangement_instruments,
    supervisory_comments,
    supervisory_comment_conventions,
    gap_comments,
    rbc_initiatives,
    rbc_initiative_countries,
    rbc_initiative_conventions,
    rbc_initiative_arrangements,
    rbc_initiative_organizations,
    rbc_activities,
    rbc_activity_notes,
    programmes,
    programme_countries,
    webhooks,
    outbox_events,
    webhook_deliveries,
    reminder_settings,
    digest_sends,
    reminder_sends,
    country_reminder_defaults,
    subscriptions,
    mail_items,
);

diesel::table! {
    webhooks (id) {
        id -> Integer,
        url -> Text,
        events -> Text,
        countries -> Nullable<Text>,
        conventions -> Nullable<Text>,
        description -> Text,
        secret -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        active -> Bool,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> Integer,
        event_type -> Text,
        country -> Nullable<Text>,
        conventions -> Text,
        payload -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Integer,
        webhook_id -> Integer,
        event_id -> Integer,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        first_attempt_at -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> outbox_events (event_id));

diesel::table! {
    reminder_settings (user_id) {
        user_id -> Integer,
        settings -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    digest_sends (user_id, day) {
        user_id -> Integer,
        day -> Date,
        status -> Text,
        items -> Integer,
        claimed_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    reminder_sends (user_id, kind, deadline_id, lead_days) {
        user_id -> Integer,
        kind -> Text,
        deadline_id -> Integer,
        lead_days -> Integer,
        day -> Date,
    }
}

diesel::table! {
    country_reminder_defaults (country) {
        country -> Text,
        settings -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Integer,
        user_id -> Integer,
        events -> Text,
        countries -> Nullable<Text>,
        conventions -> Nullable<Text>,
        delivery -> Text,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_items (id) {
        id -> Integer,
        user_id -> Integer,
        event_id -> Integer,
        delivery -> Text,
        status -> Text,
        claimed_at -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(mail_items -> outbox_events (event_id));

diesel::table! {
    sso_logins (state) {
        state -> Text,
        provider -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        browser -> Nullable<Text>,
    }
}

diesel::table! {
    sso_identities (provider, user_id) {
        provider -> Text,
        user_id -> Integer,
        subject -> Text,
        created_at -> Timestamp,
    }
}

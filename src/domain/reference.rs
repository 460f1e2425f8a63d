//! Reference data vocabularies: ILO regions, instrument categories and principles.

use super::text_enum;

text_enum! {
    /// ILO region of a member state.
    Region {
        Africa => "africa",
        Americas => "americas",
        ArabStates => "arab_states",
        AsiaAndThePacific => "asia_and_the_pacific",
        EuropeAndCentralAsia => "europe_and_central_asia",
    }
}

impl Region {
    /// The region's name as the ILO writes it.
    pub fn display_name(self) -> &'static str {
        match self {
            Region::Africa => "Africa",
            Region::Americas => "Americas",
            Region::ArabStates => "Arab States",
            Region::AsiaAndThePacific => "Asia and the Pacific",
            Region::EuropeAndCentralAsia => "Europe and Central Asia",
        }
    }
}

text_enum! {
    /// Category of an instrument.
    Category {
        Fundamental => "fundamental",
        Governance => "governance",
        Technical => "technical",
    }
}

text_enum! {
    /// The fundamental principle and right an instrument belongs to.
    Principle {
        FreedomOfAssociation => "freedom_of_association",
        ForcedLabour => "forced_labour",
        ChildLabour => "child_labour",
        Discrimination => "discrimination",
        OccupationalSafetyAndHealth => "occupational_safety_and_health",
    }
}

text_enum! {
    /// Whether an instrument is a convention or a protocol to one.
    InstrumentType {
        Convention => "convention",
        Protocol => "protocol",
    }
}

text_enum! {
    /// Which side of the tripartite structure an organization speaks for.
    OrganizationKind {
        Government => "government",
        Employer => "employer",
        Worker => "worker",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_round_trips_through_text() {
        for r in Region::ALL {
            assert_eq!(r.as_str().parse::<Region>(), Ok(*r));
        }
    }

    #[test]
    fn unknown_category_names_the_allowed_values() {
        let err = "core".parse::<Category>().unwrap_err();
        assert_eq!(err.allowed, "fundamental, governance, technical");
        assert_eq!(
            err.to_string(),
            "'core' is not one of: fundamental, governance, technical"
        );
    }
}

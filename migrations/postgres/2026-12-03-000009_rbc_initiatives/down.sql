DROP TABLE rbc_initiative_organizations;
DROP TABLE rbc_initiative_arrangements;
DROP TABLE rbc_initiative_conventions;
DROP TABLE rbc_initiative_countries;
DROP TABLE rbc_initiatives;

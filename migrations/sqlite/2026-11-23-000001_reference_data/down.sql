DROP TABLE ratification_history;
DROP TABLE ratifications;
DROP TABLE organizations;
DROP TABLE conventions;
DROP TABLE countries;
DROP TABLE app_meta;

DROP TABLE dashboard_tokens;
DROP TABLE user_countries;
DROP TABLE users;

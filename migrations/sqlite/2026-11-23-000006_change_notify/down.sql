-- Nothing to do on SQLite: db::changes watches `PRAGMA data_version`, which moves with every
-- commit of any other connection. (PostgreSQL gets a trigger that notifies on audited writes;
-- the two folders keep the same migration names.)
SELECT 1;

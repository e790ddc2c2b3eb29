internal import GRDB

/// The embedded store's migrations. Each migration is applied once, in order, in a transaction.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: people, opportunities, interactions") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE TABLE people (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('worker', 'learner', 'client')),
                    name TEXT,
                    latitude REAL,
                    longitude REAL,
                    capacity INTEGER NOT NULL CHECK (capacity >= 1),
                    profile TEXT NOT NULL
                );
                CREATE TABLE opportunities (
                    pk INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('mission', 'job', 'course', 'posting')),
                    client_id TEXT REFERENCES people(id) ON UPDATE CASCADE,
                    title TEXT,
                    latitude REAL,
                    longitude REAL,
                    starts_at INTEGER,
                    ends_at INTEGER,
                    slots INTEGER NOT NULL CHECK (slots >= 1),
                    status TEXT NOT NULL CHECK (status IN ('open', 'filled', 'closed')),
                    profile TEXT NOT NULL
                );
                CREATE INDEX opportunities_client ON opportunities(client_id);
                CREATE TABLE interactions (
                    pk INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    derived_id INTEGER NOT NULL,
                    person INTEGER NOT NULL REFERENCES people(pk),
                    opportunity INTEGER NOT NULL REFERENCES opportunities(pk),
                    type TEXT NOT NULL,
                    ts INTEGER NOT NULL,
                    value REAL,
                    details TEXT
                );
                CREATE TRIGGER interactions_append_only_update BEFORE UPDATE ON interactions
                BEGIN SELECT RAISE(ABORT, 'interactions are append-only'); END;
                CREATE TRIGGER interactions_append_only_delete BEFORE DELETE ON interactions
                BEGIN SELECT RAISE(ABORT, 'interactions are append-only'); END;
                CREATE TABLE synthetic_truth (
                    scenario TEXT PRIMARY KEY NOT NULL,
                    document TEXT NOT NULL
                );
                """)
        }
        return migrator
    }
}

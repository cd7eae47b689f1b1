-- Runs once, on an empty PostgreSQL volume: the sync's state store gets its own database beside Airflow's
-- metadata database (POSTGRES_DB), owned by the same role so the init service can migrate it.
CREATE DATABASE timelines_zoho OWNER airflow;

"""The benchmark harness (`make bench`): seeding, wrk runs against samlinger and a bare Flask app, exports."""

"""The `liputan6-monitor` command line.

Prefect's server sends usage analytics unless told not to. This tool is meant to run offline as
well, where the attempt only fails and, on the default SQLite database, logs "database is locked"
tracebacks; so analytics default to off. A value the user set explicitly still wins.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

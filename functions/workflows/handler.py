from functions.workflows import routes, run_routes
from shared.platform.http.resolver import build_resolver, lambda_entry

app = build_resolver(routes.router, run_routes.router)
lambda_handler = lambda_entry(app)

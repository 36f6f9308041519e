from functions.callbacks import routes
from shared.platform.http.resolver import build_resolver, lambda_entry

app = build_resolver(routes.router)
lambda_handler = lambda_entry(app)

"""The API's one OpenAPI document, merged from every catalog function's resolver and completed from each
route's declared policy. It lives with the functions, not in `shared/platform`: it reads the catalog and the
auth policies, and the platform below them must not import either."""

// Every request goes to the server the user connected, with their token; Hookline's errors
// (`{"error": {"code", "message"}}` from REST, `{"errors": [...]}` from GraphQL) become Zapier
// errors that say what went wrong.

function server(bundle) {
  return String(bundle.authData.server_url || "").replace(/\/+$/, "");
}

function authorize(request, z, bundle) {
  request.headers = request.headers || {};
  if (bundle.authData.api_token) {
    request.headers.Authorization = `Bearer ${bundle.authData.api_token}`;
  }
  if (bundle.authData.company) {
    request.headers["X-Bloo-Company-ID"] = bundle.authData.company;
  }
  return request;
}

function explainErrors(response, z) {
  if (response.status < 400) return response;
  let error = {};
  try {
    const body = JSON.parse(response.content);
    error = body.error || (body.errors && body.errors[0]) || {};
  } catch (_) {
    // not JSON: the generic message below
  }
  const code = error.code || (error.extensions && error.extensions.code) || `HTTP_${response.status}`;
  const message = error.message || `Hookline answered ${response.status}`;
  if (response.status === 401) {
    throw new z.errors.Error(`${message} (check the API token)`, "AuthenticationError", 401);
  }
  throw new z.errors.Error(message, code, response.status);
}

module.exports = { server, authorize, explainErrors };

# SPDX-License-Identifier: MIT
# populate's config checker: a Snowplow storage target config
# (amazon_dynamodb_config 1-0-0, 1-0-1, 2-0-0) or an Iglu resolver config
# (resolver-config 1-0-0 to 1-0-3), checked against the schemas' rules with
# jq alone.  Input: the document.  Named arguments:
#
#   --arg kind storage|resolver   what the document is (default storage)
#   --arg want check|fields       check (the default): one line per problem,
#                                 nothing when the document is valid;
#                                 fields: a valid storage config's values as
#                                 sh assignments (cfg_table, cfg_region,
#                                 cfg_auth static|chain, cfg_akid,
#                                 cfg_secret), quoted for eval
#
#   jq -r -f populate-config.jq dynamodb.json
#   jq -r --arg kind resolver -f populate-config.jq resolver.json
#
# A value is never quoted in a problem unless it is the schema, the
# purpose or the id: a secret must not end up in an error message.

def uuidre: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
def dyn: "iglu:com.snowplowanalytics.snowplow.storage/amazon_dynamodb_config/jsonschema/";
def res: "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/";

# props(path; allowed; required): unknown and missing members
def props($p; $allowed; $required):
	((keys_unsorted - $allowed)[] | "\($p).\(.): is not allowed (no such field in the schema)"),
	(($required - keys_unsorted)[] | "\($p).\(.): is missing");

# typed(path; name; types): a present member of the wrong JSON type
def typed($p; $k; $types):
	select(has($k)) | .[$k] | type as $t
	| select($types | index($t) | not)
	| "\($p).\($k): must be \($types | join(" or ")), not \($t)";

# filled(path; name): a string member populate cannot use empty
def filled($p; $k):
	select((.[$k] | type) == "string" and .[$k] == "") | "\($p).\($k): must not be empty";

def isint: type == "number" and . == floor;

def storage($v):
	if type != "object" then "data: must be an object, not \(type)"
	elif $v == "2-0-0" then
		props("data"; ["name", "auth", "awsRegion", "dynamodbTable", "id", "purpose"];
		      ["name", "auth", "awsRegion", "dynamodbTable", "id", "purpose"]),
		(["name", "awsRegion", "dynamodbTable", "id", "purpose"][] as $k | typed("data"; $k; ["string"])),
		(select(has("auth")) | .auth
		 | if . == null then empty
		   elif type == "object" then
			props("data.auth"; keys_unsorted; ["accessKeyId", "secretAccessKey"]),
			typed("data.auth"; "accessKeyId"; ["string"]),
			typed("data.auth"; "secretAccessKey"; ["string"])
		   else "data.auth: must be an object or null, not \(type)" end),
		(select((.id | type) == "string" and (.id | test(uuidre) | not)) | "data.id: \(.id | @json) is not a UUID"),
		(select((.purpose | type) == "string" and .purpose != "EVENTS_MANIFEST")
		 | "data.purpose: must be \"EVENTS_MANIFEST\", not \(.purpose | @json)"),
		filled("data"; "awsRegion"), filled("data"; "dynamodbTable")
	else
		props("data"; ["name", "accessKeyId", "secretAccessKey", "awsRegion", "dynamodbTable", "purpose"]
			+ (if $v == "1-0-1" then ["id"] else [] end);
		      ["name", "accessKeyId", "secretAccessKey", "awsRegion", "dynamodbTable", "purpose"]),
		(["name", "accessKeyId", "secretAccessKey", "awsRegion", "dynamodbTable", "purpose", "id"][] as $k
		 | typed("data"; $k; ["string"])),
		(select($v == "1-0-1" and (.id | type) == "string" and (.id | test(uuidre) | not))
		 | "data.id: \(.id | @json) is not a UUID"),
		(select((.purpose | type) == "string" and .purpose != "DUPLICATE_TRACKING")
		 | "data.purpose: must be \"DUPLICATE_TRACKING\", not \(.purpose | @json)"),
		filled("data"; "awsRegion"), filled("data"; "dynamodbTable")
	end;

def repository($p; $v):
	if type != "object" then "\($p): must be an object, not \(type)" else
		props($p; ["name", "priority", "vendorPrefixes", "connection"];
		      ["name", "priority", "vendorPrefixes", "connection"]),
		typed($p; "name"; ["string"]),
		typed($p; "priority"; ["number"]),
		typed($p; "vendorPrefixes"; ["array"]),
		(select((.vendorPrefixes | type) == "array") | .vendorPrefixes | to_entries[]
		 | select((.value | type) != "string") | "\($p).vendorPrefixes[\(.key)]: must be string, not \(.value | type)"),
		(select(has("connection")) | .connection
		 | if type != "object" then "\($p).connection: must be an object, not \(type)"
		   elif keys == ["embedded"] then
			.embedded | if type != "object" then "\($p).connection.embedded: must be an object, not \(type)" else
				props("\($p).connection.embedded"; ["path"]; ["path"]),
				typed("\($p).connection.embedded"; "path"; ["string"]) end
		   elif keys == ["http"] then
			.http | if type != "object" then "\($p).connection.http: must be an object, not \(type)" else
				props("\($p).connection.http"; ["uri"] + (if $v == "1-0-0" then [] else ["apikey"] end); ["uri"]),
				typed("\($p).connection.http"; "uri"; ["string"]),
				(select((.uri | type) == "string" and (.uri | test("^[A-Za-z][A-Za-z0-9+.-]*:") | not))
				 | "\($p).connection.http.uri: \(.uri | @json) is not a URI"),
				typed("\($p).connection.http"; "apikey"; if $v == "1-0-1" then ["string"] else ["string", "null"] end)
			end
		   else "\($p).connection: must have exactly one of embedded or http" end)
	end;

def resolver($v):
	if type != "object" then "data: must be an object, not \(type)" else
		props("data"; ["cacheSize", "repositories"] + (if $v >= "1-0-2" then ["cacheTtl"] else [] end);
		      ["cacheSize", "repositories"]),
		typed("data"; "cacheSize"; ["number"]),
		(select($v >= "1-0-2" and has("cacheTtl")) | .cacheTtl
		 | select(. != null) | if isint | not then "data.cacheTtl: must be integer or null"
		   elif $v == "1-0-2" and . < 1 then "data.cacheTtl: must be at least 1"
		   elif . < 0 then "data.cacheTtl: must be at least 0" else empty end),
		typed("data"; "repositories"; ["array"]),
		(select((.repositories | type) == "array") | .repositories | to_entries[]
		 | .key as $i | .value | repository("data.repositories[\($i)]"; $v))
	end;

# selfdesc(prefix; versions): the envelope's problems
def selfdesc($prefix; $versions):
	if type != "object" then "must be a self-describing JSON object, not \(type)"
	else
		(props(""; ["schema", "data"]; ["schema", "data"]) | ltrimstr(".")),
		(select(has("schema")) | .schema
		 | if type != "string" then "schema: must be string, not \(type)"
		   elif startswith($prefix) | not then "schema: \(@json) is not \($prefix)*"
		   elif ltrimstr($prefix) as $v | $versions | index([$v]) | not then
			"schema: \(@json): version not supported (\($versions | join(", ")))"
		   else empty end)
	end;

# check(prefix; versions; f): the envelope, then f on [version, data]
def check($prefix; $versions; f):
	[selfdesc($prefix; $versions)] as $env
	| if ($env | length) > 0 then $env[]
	  else [(.schema | ltrimstr($prefix)), .data] | f end;

($ARGS.named.kind // "storage") as $kind
| ($ARGS.named.want // "check") as $want
| if $kind == "resolver" then check(res; ["1-0-0", "1-0-1", "1-0-2", "1-0-3"]; .[0] as $v | .[1] | resolver($v))
  elif $want == "fields" then
	.data | "cfg_table=\(.dynamodbTable | @sh) cfg_region=\(.awsRegion | @sh)"
		+ " cfg_auth=\(if has("auth") and .auth == null then "chain" else "static" end)"
		+ " cfg_akid=\(.accessKeyId // .auth.accessKeyId // "" | @sh)"
		+ " cfg_secret=\(.secretAccessKey // .auth.secretAccessKey // "" | @sh)"
  else check(dyn; ["1-0-0", "1-0-1", "2-0-0"]; .[0] as $v | .[1] | storage($v)) end

package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// typesFile writes the structures, including the error shapes.
func (g *generator) typesFile() ([]byte, error) {
	var b bytes.Buffer
	g.header(&b)
	fmt.Fprintf(&b, "package %s\n\n", g.svc.Pkg)
	var body bytes.Buffer
	for _, n := range g.shapeNames() {
		sh := g.m.Shapes[n]
		if sh.Type != "structure" || sh.Document {
			continue
		}
		if err := g.structType(&body, n, sh); err != nil {
			return nil, err
		}
	}
	for _, op := range g.opNames() {
		o := g.m.Operations[op]
		io := g.ioTypes[op]
		if o.Input == nil {
			fmt.Fprintf(&body, "// %s is the empty input of %s.\ntype %s struct{}\n\n", io[0], op, io[0])
		}
		if o.Output == nil {
			fmt.Fprintf(&body, "// %s is the empty output of %s.\ntype %s struct{}\n\n", io[1], op, io[1])
		}
	}
	if bytes.Contains(body.Bytes(), []byte("io.ReadCloser")) {
		b.WriteString("import \"io\"\n\n")
	}
	if bytes.Contains(body.Bytes(), []byte("time.Time")) {
		b.WriteString("import \"time\"\n\n")
	}
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

func (g *generator) structType(b *bytes.Buffer, n string, sh *shape) error {
	name := g.typeNames[n]
	comment(b, "", name, sh.Documentation, "the "+n+" shape.")
	fmt.Fprintf(b, "type %s struct {\n", name)
	var structOpts []string
	if sh.Union {
		structOpts = append(structOpts, "union")
	}
	if sh.LocationName != "" {
		structOpts = append(structOpts, "xmlname="+sh.LocationName)
	}
	if sh.XMLNamespace != nil {
		if sh.XMLNamespace.Prefix != "" {
			structOpts = append(structOpts, "nsprefix="+sh.XMLNamespace.Prefix)
		}
		structOpts = append(structOpts, "ns="+sh.XMLNamespace.URI)
	}
	if len(structOpts) > 0 {
		fmt.Fprintf(b, "\t_ struct{} `aws:\",%s\"`\n\n", strings.Join(structOpts, ","))
	}
	fields := map[string]bool{}
	if sh.Exception {
		// Error and ErrorCode are the methods of error types.
		fields["Error"], fields["ErrorCode"] = true, true
	}
	for _, m := range sh.Members {
		t, err := g.goType(m.Shape, false)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", n, m.name, err)
		}
		if t == "[]byte" && (m.Streaming || g.m.Shapes[m.Shape].Streaming) {
			// A streaming blob (S3's object bodies) is read and written
			// as it travels, never held whole.
			t = "io.ReadCloser"
		}
		field := exportName(m.name)
		for fields[field] {
			field += "Value"
		}
		fields[field] = true
		comment(b, "\t", field, m.Documentation, "the "+m.name+" member.")
		fmt.Fprintf(b, "\t%s %s `%s`\n\n", field, t, g.tag(sh, m))
	}
	msg := ""
	for _, m := range sh.Members {
		if strings.EqualFold(m.name, "message") && g.m.Shapes[m.Shape].Type == "string" {
			msg = exportName(m.name)
		}
	}
	if sh.Exception && msg == "" {
		// AWS sends a message with every error, modeled or not, and the
		// clients read it; give every error type a place for one.
		msg = "Message"
		b.WriteString("\t// Message: the error's message.\n\tMessage *string `aws:\"message\"`\n\n")
	}
	b.WriteString("}\n\n")
	if sh.Exception {
		fmt.Fprintf(b, "// Error returns the error's code and message.\nfunc (e *%s) Error() string {\n", name)
		if msg != "" {
			fmt.Fprintf(b, "\tif e.%s != nil {\n\t\treturn %q + *e.%s\n\t}\n", msg, n+": ", msg)
		}
		fmt.Fprintf(b, "\treturn %q\n}\n\n", n)
		fmt.Fprintf(b, "// ErrorCode returns the error's shape name.\nfunc (e *%s) ErrorCode() string { return %q }\n\n", name, n)
	}
	return nil
}

// enumsFile writes one string type per enum with its constants.
func (g *generator) enumsFile() []byte {
	var b bytes.Buffer
	g.header(&b)
	fmt.Fprintf(&b, "package %s\n\n", g.svc.Pkg)
	for _, n := range g.shapeNames() {
		sh := g.m.Shapes[n]
		if sh.Type != "string" || len(sh.Enum) == 0 {
			continue
		}
		name := g.typeNames[n]
		comment(&b, "", name, sh.Documentation, "the values of the "+n+" enum.")
		fmt.Fprintf(&b, "type %s string\n\n", name)
		b.WriteString("// The values of " + name + ".\nconst (\n")
		seen := map[string]bool{}
		for _, v := range sh.Enum {
			c := name + exportName(v)
			for seen[c] || (g.used[c] && c != name) {
				c += "Value"
			}
			seen[c] = true
			g.used[c] = true
			fmt.Fprintf(&b, "\t%s %s = %q\n", c, name, v)
		}
		b.WriteString(")\n\n")
		if slices.Contains(g.svc.ServiceEnums, n) {
			continue
		}
		fmt.Fprintf(&b, "// Values lists the values the model declares for %s.\nfunc (%s) Values() []string {\n\treturn []string{", name, name)
		for i, v := range sh.Enum {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", v)
		}
		b.WriteString("}\n}\n\n")
	}
	return b.Bytes()
}

// readOnlyPrefixes mark operations that only read, as CloudTrail classifies
// them (readOnly in its events).
var readOnlyPrefixes = []string{"Get", "Describe", "List", "Lookup", "Head", "BatchGet", "Search", "Filter", "Test", "Select", "Validate"}

func readOnly(op *operation) bool {
	if op.ReadOnly {
		return true
	}
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(op.Name, p) && len(op.Name) > len(p) && op.Name[len(p)] >= 'A' && op.Name[len(p)] <= 'Z' {
			return true
		}
	}
	return false
}

var protocolKinds = map[string]string{
	"json":               "",
	"query":              "protocol.AWSQuery",
	"smithy-rpc-v2-cbor": "protocol.RPCv2CBOR",
	"rest-json":          "protocol.RESTJSON",
	"rest-xml":           "protocol.RESTXML",
}

func (g *generator) protocols() []string {
	md := g.m.Metadata
	list := md.Protocols
	if len(list) == 0 {
		list = []string{md.Protocol}
	}
	var out []string
	for _, p := range list {
		k := protocolKinds[p]
		if p == "json" {
			k = "protocol.AWSJSON11"
			if md.JSONVersion == "1.0" {
				k = "protocol.AWSJSON10"
			}
		}
		out = append(out, k)
	}
	// Query-compatible services moved from awsQuery; older clients still
	// speak it (SQS before botocore 1.31, for example).
	if len(md.AWSQueryCompatible) > 0 && !contains(list, "query") {
		out = append(out, "protocol.AWSQuery")
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// apiFile writes the package comment and the service model.
func (g *generator) apiFile() []byte {
	var b bytes.Buffer
	md := g.m.Metadata
	g.header(&b)
	fmt.Fprintf(&b, "// Package %s holds the API of %s (%s): the types generated from its\n", g.svc.Pkg, md.ServiceID, md.APIVersion)
	fmt.Fprintf(&b, "// AWS model and Vigil's handlers for its operations.\npackage %s\n\n", g.svc.Pkg)
	b.WriteString("import (\n\t\"reflect\"\n\n\t\"github.com/vigilhq/vigil/internal/protocol\"\n)\n\n")
	signing := firstNonEmpty(md.SigningName, md.EndpointPrefix)
	namespace := g.svc.Namespace
	if namespace == "" {
		namespace = "com.amazonaws." + strings.ToLower(strings.ReplaceAll(md.ServiceID, " ", ""))
	}
	b.WriteString("// Model describes the service's API to the protocol layer.\nvar Model = &protocol.Service{\n")
	fmt.Fprintf(&b, "\tID: %q,\n\tServiceID: %q,\n\tSigningName: %q,\n\tEndpointPrefix: %q,\n\tIAMPrefix: %q,\n\tAPIVersion: %q,\n",
		g.svc.Pkg, md.ServiceID, signing, md.EndpointPrefix, firstNonEmpty(g.svc.IAMPrefix, g.svc.Pkg), md.APIVersion)
	fmt.Fprintf(&b, "\tTargetPrefix: %q,\n\tXMLNamespace: %q,\n\tNamespace: %q,\n", md.TargetPrefix, md.XMLNamespace, namespace)
	fmt.Fprintf(&b, "\tProtocols: []protocol.Kind{%s},\n", strings.Join(g.protocols(), ", "))
	fmt.Fprintf(&b, "\tQueryCompatible: %v,\n\tValidationError: %q,\n", len(md.AWSQueryCompatible) > 0, g.svc.Validation)
	if g.svc.ValidationQuery != "" {
		fmt.Fprintf(&b, "\tValidationQueryCode: %q,\n", g.svc.ValidationQuery)
	}
	if g.svc.MissingParameter != "" {
		fmt.Fprintf(&b, "\tMissingParameterError: %q,\n", g.svc.MissingParameter)
	}
	fmt.Fprintf(&b, "\tSource: %q,\n", g.source)
	b.WriteString("\tOperations: map[string]*protocol.Operation{\n")
	for _, op := range g.opNames() {
		o := g.m.Operations[op]
		io := g.ioTypes[op]
		fmt.Fprintf(&b, "\t\t%q: {\n\t\t\tName: %q,\n\t\t\tMethod: %q,\n\t\t\tRequestURI: %q,\n", op, op, o.HTTP.Method, o.HTTP.RequestURI)
		status := o.HTTP.ResponseCode
		if status == 0 {
			status = 200
		}
		fmt.Fprintf(&b, "\t\t\tResponseCode: %d,\n", status)
		fmt.Fprintf(&b, "\t\t\tInput: reflect.TypeFor[%s](),\n\t\t\tOutput: reflect.TypeFor[%s](),\n", io[0], io[1])
		if o.Output != nil {
			b.WriteString("\t\t\tHasOutput: true,\n")
			if o.Output.ResultWrapper != "" {
				fmt.Fprintf(&b, "\t\t\tResultWrapper: %q,\n", o.Output.ResultWrapper)
			}
			if out := g.m.Shapes[o.Output.Shape]; out != nil {
				for _, m := range out.Members {
					if g.m.Shapes[m.Shape].EventStream {
						b.WriteString("\t\t\tEventStream: true,\n")
					}
				}
			}
		}
		if o.Input != nil && o.Input.LocationName != "" {
			fmt.Fprintf(&b, "\t\t\tInputRoot: %q,\n", o.Input.LocationName)
		}
		if len(o.Errors) > 0 {
			names := make([]string, len(o.Errors))
			for i, e := range o.Errors {
				names[i] = fmt.Sprintf("%q", e.Shape)
			}
			fmt.Fprintf(&b, "\t\t\tErrors: []string{%s},\n", strings.Join(names, ", "))
		}
		if readOnly(o) {
			b.WriteString("\t\t\tReadOnly: true,\n")
		}
		if o.Endpoint != nil && o.Endpoint.HostPrefix != "" {
			fmt.Fprintf(&b, "\t\t\tHostPrefix: %q,\n", o.Endpoint.HostPrefix)
		}
		if o.AuthType == "none" || slices.Equal(o.Auth, []string{"smithy.api#noAuth"}) {
			b.WriteString("\t\t\tNoAuth: true,\n")
		}
		b.WriteString("\t\t},\n")
	}
	b.WriteString("\t},\n\tErrors: map[string]*protocol.ErrorShape{\n")
	for _, n := range g.shapeNames() {
		sh := g.m.Shapes[n]
		if !sh.Exception {
			continue
		}
		status, code := 400, ""
		if sh.Fault {
			status = 500
		}
		if sh.Error != nil {
			if sh.Error.HTTPStatusCode != 0 {
				status = sh.Error.HTTPStatusCode
			}
			if sh.Error.Code != n {
				code = sh.Error.Code
			}
		}
		fmt.Fprintf(&b, "\t\t%q: {Name: %q, ", n, n)
		if code != "" {
			fmt.Fprintf(&b, "QueryCode: %q, ", code)
		}
		fmt.Fprintf(&b, "Status: %d, ", status)
		if sh.Fault || status >= 500 {
			b.WriteString("Server: true, ")
		}
		fmt.Fprintf(&b, "Type: reflect.TypeFor[%s]()},\n", g.typeNames[n])
	}
	b.WriteString("\t},\n")
	if len(g.patterns) > 0 {
		b.WriteString("\tPatterns: []string{\n")
		for _, p := range g.patterns {
			fmt.Fprintf(&b, "\t\t%s,\n", goString(p))
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n\n")

	return b.Bytes()
}

// serviceFile writes the Service interface of the operations, the
// Unimplemented type that implementations embed, and the handler binding.
func (g *generator) serviceFile() []byte {
	var b bytes.Buffer
	g.header(&b)
	fmt.Fprintf(&b, "package %s\n\n", g.svc.Pkg)
	b.WriteString("import (\n\t\"context\"\n\t\"reflect\"\n\n\t\"github.com/vigilhq/vigil/internal/protocol\"\n)\n\n")
	ops := g.opNames()
	signature := func(op string, named bool) string {
		io := g.ioTypes[op]
		if !named {
			return fmt.Sprintf("%s(context.Context, *%s) (*%s, error)", op, io[0], io[1])
		}
		return fmt.Sprintf("%s(ctx context.Context, in *%s) (*%s, error)", op, io[0], io[1])
	}

	fmt.Fprintf(&b, "// Service is the API of %s: a method for each of its operations.\n", g.m.Metadata.ServiceID)
	b.WriteString("// An implementation embeds Unimplemented and declares the methods of the\n")
	b.WriteString("// operations it implements; Handlers binds those.\n")
	b.WriteString("type Service interface {\n")
	for i, op := range ops {
		if i > 0 {
			b.WriteString("\n")
		}
		comment(&b, "\t", op, g.m.Operations[op].Documentation, "the "+op+" operation.")
		fmt.Fprintf(&b, "\t%s\n", signature(op, true))
	}
	b.WriteString("}\n\n")

	b.WriteString("// Unimplemented answers NotImplemented to every operation. Embedded in an\n")
	b.WriteString("// implementation, it supplies the operations the implementation does not\n")
	b.WriteString("// declare, and Handlers leaves those unbound, so that they answer 501 and\n")
	b.WriteString("// the health check does not count them.\n")
	b.WriteString("type Unimplemented struct{}\n\n")
	b.WriteString("var _ Service = Unimplemented{}\n\n")
	for _, op := range ops {
		fmt.Fprintf(&b, "// %s answers that the operation is not implemented.\n", op)
		fmt.Fprintf(&b, "func (Unimplemented) %s {\n\treturn nil, protocol.NotImplemented(Model, %q)\n}\n\n", signature(op, false), op)
	}

	b.WriteString("// Handlers returns the protocol handlers of the operations impl implements:\n")
	b.WriteString("// those whose method is not Unimplemented's. Every other operation answers\n")
	b.WriteString("// NotImplemented.\n")
	b.WriteString("func Handlers(impl Service) map[string]protocol.Handler {\n\th := make(map[string]protocol.Handler)\n")
	b.WriteString("\timplemented := protocol.Implemented(impl, reflect.TypeFor[Unimplemented]())\n")
	for _, op := range ops {
		fmt.Fprintf(&b, "\tif implemented(%q) {\n\t\tprotocol.Bind(h, %q, impl.%s)\n\t}\n", op, op, op)
	}
	b.WriteString("\treturn h\n}\n")
	return b.Bytes()
}

// goString quotes s as a raw string literal when it can, for readable
// regular expressions.
func goString(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return fmt.Sprintf("%q", s)
}

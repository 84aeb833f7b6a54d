package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// model is the part of a botocore service-2.json that the generator reads.
type model struct {
	Metadata   metadata              `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type metadata struct {
	APIVersion         string          `json:"apiVersion"`
	EndpointPrefix     string          `json:"endpointPrefix"`
	JSONVersion        string          `json:"jsonVersion"`
	Protocol           string          `json:"protocol"`
	Protocols          []string        `json:"protocols"`
	ServiceID          string          `json:"serviceId"`
	SigningName        string          `json:"signingName"`
	TargetPrefix       string          `json:"targetPrefix"`
	XMLNamespace       string          `json:"xmlNamespace"`
	AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible"`
}

type operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input         *ref   `json:"input"`
	Output        *ref   `json:"output"`
	Errors        []ref  `json:"errors"`
	Documentation string `json:"documentation"`
	ReadOnly      bool   `json:"readonly"`
	Endpoint      *struct {
		HostPrefix string `json:"hostPrefix"`
	} `json:"endpoint"`
	// AuthType "none" or Auth ["smithy.api#noAuth"]: AWS serves the
	// operation unsigned.
	AuthType string   `json:"authtype"`
	Auth     []string `json:"auth"`
}

// ref is a reference to a shape: a structure member, a list member, a map
// key or value, or an operation's input or output.
type ref struct {
	Shape            string `json:"shape"`
	LocationName     string `json:"locationName"`
	Location         string `json:"location"`
	XMLNamespace     *xmlNS `json:"xmlNamespace"`
	XMLAttribute     bool   `json:"xmlAttribute"`
	Flattened        bool   `json:"flattened"`
	JSONValue        bool   `json:"jsonvalue"`
	IdempotencyToken bool   `json:"idempotencyToken"`
	HostLabel        bool   `json:"hostLabel"`
	Streaming        bool   `json:"streaming"`
	EventPayload     bool   `json:"eventpayload"`
	EventHeader      bool   `json:"eventheader"`
	TimestampFormat  string `json:"timestampFormat"`
	ResultWrapper    string `json:"resultWrapper"`
	Documentation    string `json:"documentation"`
	name             string // member name, set for structure members
	// queryName is the member's name in the awsQuery protocol when the
	// model (a JSON one) lost it: from the service's query-names.json.
	queryName string
}

type xmlNS struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

type shape struct {
	Type            string     `json:"type"`
	Members         members    `json:"members"`
	Required        []string   `json:"required"`
	Member          *ref       `json:"member"`
	Key             *ref       `json:"key"`
	Value           *ref       `json:"value"`
	Min             *float64   `json:"min"`
	Max             *float64   `json:"max"`
	Pattern         string     `json:"pattern"`
	Enum            []string   `json:"enum"`
	Exception       bool       `json:"exception"`
	Fault           bool       `json:"fault"`
	Error           *errorInfo `json:"error"`
	Payload         string     `json:"payload"`
	Flattened       bool       `json:"flattened"`
	Sensitive       bool       `json:"sensitive"`
	Union           bool       `json:"union"`
	EventStream     bool       `json:"eventstream"`
	Event           bool       `json:"event"`
	Document        bool       `json:"document"`
	Streaming       bool       `json:"streaming"`
	TimestampFormat string     `json:"timestampFormat"`
	LocationName    string     `json:"locationName"`
	XMLNamespace    *xmlNS     `json:"xmlNamespace"`
	Documentation   string     `json:"documentation"`
}

type errorInfo struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    bool   `json:"senderFault"`
}

// members keeps structure members in the order the model lists them: that
// order is the XML element order and the field order of the Go structs.
type members []*ref

func (m *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var r ref
		if err := dec.Decode(&r); err != nil {
			return err
		}
		r.name = tok.(string)
		*m = append(*m, &r)
	}
	return nil
}

// loadModel reads a service-2.json or service-2.json.gz file.
func loadModel(path string) (*model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", path, err)
		}
		r = gz
	}
	var m model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("cannot decode %s: %w", path, err)
	}
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
	}
	return &m, nil
}

package iam

import (
	"net/url"
	"strings"
	"testing"
)

func TestWireOIDC(t *testing.T) {
	w := newWire(t)
	arn := "arn:aws:iam::" + testAccount + ":oidc-provider/oidc.example.com/id/AB"
	thumb := strings.Repeat("A", 40)
	w.want("CreateOpenIDConnectProvider", url.Values{"Url": {"https://oidc.example.com/id/AB"}, "ClientIDList.member.1": {"sts.amazonaws.com"},
		"ThumbprintList.member.1": {thumb}, "Tags.member.1.Key": {"env"}, "Tags.member.1.Value": {"ci"}}, 200,
		"<OpenIDConnectProviderArn>"+arn+"</OpenIDConnectProviderArn>", "<Key>env</Key>")
	w.want("CreateOpenIDConnectProvider", url.Values{"Url": {"https://oidc.example.com/id/AB"}}, 409,
		"<Code>EntityAlreadyExists</Code>", "<Message>Provider with url https://oidc.example.com/id/AB already exists.</Message>")
	w.want("CreateOpenIDConnectProvider", url.Values{"Url": {"example.org"}}, 400,
		"<Code>ValidationError</Code>", "<Message>Invalid Open ID Connect Provider URL</Message>")
	w.want("CreateOpenIDConnectProvider", url.Values{"Url": {"http://example.org"}}, 400,
		"<Code>InvalidInput</Code>", "<Message>Invalid Open ID Connect Provider URL. The URL must begin with https://.</Message>")
	w.want("CreateOpenIDConnectProvider", url.Values{"Url": {"https://example.org"}, "ThumbprintList.member.1": {"abc"}}, 400, "<Code>ValidationError</Code>")
	w.want("GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}, 200, "<Url>oidc.example.com/id/AB</Url>",
		"<ClientIDList><member>sts.amazonaws.com</member></ClientIDList>", "<member>"+strings.ToLower(thumb)+"</member>",
		"<CreateDate>2026-01-02T03:04:05", "<Value>ci</Value>")
	w.want("UpdateOpenIDConnectProviderThumbprint", url.Values{"OpenIDConnectProviderArn": {arn}, "ThumbprintList.member.1": {thumb},
		"ThumbprintList.member.2": {strings.Repeat("b", 40)}}, 200)
	w.want("RemoveClientIDFromOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}, "ClientID": {"sts.amazonaws.com"}}, 200)
	w.want("UntagOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}, "TagKeys.member.1": {"env"}}, 200)
	body := w.want("GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}, 200,
		"<member>"+strings.Repeat("b", 40)+"</member>")
	if !strings.Contains(body, "<ClientIDList/>") && !strings.Contains(body, "<ClientIDList></ClientIDList>") ||
		!strings.Contains(body, "<Tags/>") && !strings.Contains(body, "<Tags></Tags>") {
		t.Errorf("GetOpenIDConnectProvider = %s; want empty ClientIDList and Tags, as IAM writes them", body)
	}
	w.want("AddClientIDToOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}, "ClientID": {"app"}}, 200)
	w.want("TagOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}, "Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {"v"}}, 200)
	w.want("ListOpenIDConnectProviderTags", url.Values{"OpenIDConnectProviderArn": {arn}}, 200, "<Key>k</Key>", "<IsTruncated>false</IsTruncated>")
	w.want("ListOpenIDConnectProviders", url.Values{}, 200, "<OpenIDConnectProviderList><member><Arn>"+arn+"</Arn></member></OpenIDConnectProviderList>")
	w.want("DeleteOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}, 200)
	w.want("DeleteOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}, 404,
		"<Code>NoSuchEntity</Code>", "<Message>OpenId connect Provider "+arn+" cannot be found.</Message>")
	w.want("GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}}, 404,
		"<Message>OpenIDConnect Provider not found for arn "+arn+"</Message>")
	w.want("ListOpenIDConnectProviders", url.Values{}, 200, "<OpenIDConnectProviderList")
}

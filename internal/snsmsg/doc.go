// Package snsmsg writes, signs and reads the JSON documents Amazon SNS
// delivers to HTTP/HTTPS endpoints, and, in the same envelope, to SQS
// queues and email-json addresses when raw message delivery is off: the
// Notification, the SubscriptionConfirmation and the
// UnsubscribeConfirmation.
//
// # The documents
//
// A Message is one of the three, told apart by its Type. Marshal writes
// the members AWS writes for that type, in AWS's order and layout (two
// spaces of indentation, " : " between a name and its value, no newline
// after the closing brace), as in AWS's examples:
// https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html,
// https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html
// and
// https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html.
// A Notification's Subject "is an optional parameter. If no Subject was
// specified, then this name-value pair does not appear in this JSON
// document"; its MessageAttributes, when it has any, come last, each
// attribute written compactly ({"Type":"String","Value":"…"}) on a line of
// its own, in the order of the Message's MessageAttributes (SNS does not
// sort them).
// FormatTimestamp writes a Timestamp as AWS does
// ("2012-04-25T21:49:25.719Z").
//
// Parse reads such a document back, for the messages Vigil receives from
// itself (an SQS queue subscribed to a topic, a test's HTTP endpoint). It
// is strict: it refuses what SNS never sends (an unknown member, a member
// twice, a value that is not a string, an empty Subject, invalid UTF-8),
// so that a message it accepts is signed and written again as it was
// received.
//
// # Signatures
//
// AWS signs "a newline character–delimited list of specific name/value
// pairs from the message. Each name/value pair is represented with the
// name first followed by a newline character, followed by the value, and
// ending with a newline character. The name/value pairs must be listed in
// byte-sort order": Message, MessageId, Subject (if present), Timestamp,
// TopicArn and Type for a Notification; Message, MessageId, SubscribeURL,
// Timestamp, Token, TopicArn and Type for the two confirmations
// (StringToSign). "If the SignatureVersion is 1, Signature is a
// Base64-encoded SHA1withRSA signature … If the SignatureVersion is 2 …
// SHA256withRSA", and topics sign with version 1 unless their
// SignatureVersion attribute says 2:
// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html,
// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html.
//
// A Signer holds the RSA key Vigil signs with and its self-signed X.509
// certificate, which LoadOrCreateSigner keeps in a directory. The
// certificate says who made it ("Vigil SNS message signing"): it does not
// pretend to be Amazon's, so a verifier that checks the chain of trust to
// Amazon's certificate authority, as AWS advises, rightly refuses it.
//
// # The certificate URL
//
// The receiver fetches the certificate from the message's
// SigningCertURL, which the caller sets before signing. Vigil must serve
// CertificatePEM there over HTTPS, with a TLS certificate the receiver
// trusts, at a path ending in ".pem" (CertFileName gives a name that
// changes with the certificate, because verifiers cache certificates by
// URL); and the URL's base must be configurable, since only the operator
// knows the name receivers reach Vigil by. AWS's validators for PHP
// (MessageValidator of aws-php-sns-message-validator) and Ruby
// (Aws::SNS::MessageVerifier) check, by default, that the URL is https,
// ends in ".pem" and has a host matching
// /^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$/, then trust the
// certificate they fetch without checking its issuer. The PHP validator
// takes another pattern (its constructor's hostNamePattern), as does the
// sns-validator package for Node.js (hostPattern), so they accept Vigil's
// messages once given Vigil's host. The Ruby verifier's pattern is fixed,
// so it cannot; Vigil must not work around that, for a name under
// amazonaws.com is not Vigil's to claim.
package snsmsg

package eventpattern

import "fmt"

// dialect is the service whose rules a pattern is read by.
type dialect uint8

const (
	// eventBridge is an EventPattern of EventBridge (rules, archives,
	// TestEventPattern).
	eventBridge dialect = iota
	// snsAttributes is an SNS FilterPolicy with FilterPolicyScope
	// MessageAttributes, the default.
	snsAttributes
	// snsBody is an SNS FilterPolicy with FilterPolicyScope MessageBody.
	snsBody
)

// sns reports whether d is one of SNS's scopes.
func (d dialect) sns() bool { return d != eventBridge }

// Error reports a pattern that does not parse, is not valid, or breaks a
// limit.
type Error struct {
	// Message is what the service answers. For EventBridge it is the
	// message of an InvalidEventPatternException, "Event pattern is not
	// valid. Reason: " and the Reason; for SNS that of an
	// InvalidParameterException to SetSubscriptionAttributes, "Invalid
	// parameter: " and the Reason. AWS appends Jackson's location ("\n at
	// [Source: ...; line: 1, column: 11]") to most reasons; Message
	// leaves it out, and Offset says where the fault is.
	Message string
	// Reason is the fault alone, in AWS's words where they are known:
	// "Empty arrays are not allowed", or for SNS "FilterPolicy: Empty
	// arrays are not allowed". Subscribe words SNS's message "Invalid
	// parameter: Attributes Reason: " + Reason.
	Reason string
	// Offset is the byte offset in the pattern at which the fault was
	// found.
	Offset int
}

// Error returns the Message.
func (e *Error) Error() string { return e.Message }

// Prefixes of the services' messages.
const (
	// eventBridgePrefix starts every InvalidEventPatternException message,
	// as in "Event pattern is not valid. Reason: Empty arrays are not
	// allowed" (AWS's answers, recorded by LocalStack's snapshot tests of
	// TestEventPattern).
	eventBridgePrefix = "Event pattern is not valid. Reason: "
	// snsPrefix starts SNS's InvalidParameterException messages, as in
	// "Invalid parameter: FilterPolicy: Filter policy is too complex".
	snsPrefix = "Invalid parameter: "
	// snsPolicy starts the reasons SNS gives for a FilterPolicy.
	snsPolicy = "FilterPolicy: "
	// snsJSON starts SNS's reason when a FilterPolicy is not JSON:
	// "FilterPolicy: failed to parse JSON. Unexpected character ...".
	snsJSON = "failed to parse JSON. "
)

// newError returns the *Error of dialect d for reason, found at offset.
// SNS gives its reasons after "FilterPolicy: ", but for that of nesting.
func newError(d dialect, offset int, reason string) *Error {
	if d == eventBridge {
		return &Error{Message: eventBridgePrefix + reason, Reason: reason, Offset: offset}
	}
	if reason != snsNestedReason {
		reason = snsPolicy + reason
	}
	return &Error{Message: snsPrefix + reason, Reason: reason, Offset: offset}
}

// errorf is newError with a formatted reason.
func errorf(d dialect, offset int, format string, args ...any) *Error {
	return newError(d, offset, fmt.Sprintf(format, args...))
}

// Reasons of Event Ruler, the engine behind both services
// (https://github.com/aws/event-ruler, JsonRuleCompiler), whose wording
// AWS returns; LocalStack's snapshots of AWS's answers confirm those
// marked "recorded".
const (
	reasonNotObject        = "Filter is not an object"                                                                       // recorded
	reasonEmptyObject      = "Empty objects are not allowed"                                                                 // quoted in cloud-custodian#6507
	reasonEmptyArray       = "Empty arrays are not allowed"                                                                  // recorded
	reasonMatchValue       = "Match value must be String, number, true, false, or null"                                      // recorded (SNS)
	reasonNoMatchName      = "Match expression name not found"                                                               // Event Ruler
	reasonOneKey           = "Only one key allowed in match expression"                                                      // recorded (SNS)
	reasonTooManyElements  = "Too many elements in numeric expression"                                                       // recorded (SNS)
	reasonTooManyTerms     = "Too many terms in numeric range expression"                                                    // recorded (SNS)
	reasonNumericArray     = "Value of numeric must be an array."                                                            // recorded
	reasonAnythingButValue = "Value of anything-but must be an array or single string/number value."                         // recorded
	reasonAnythingButList  = "Inside anything but list, start|null|boolean is not supported."                                // recorded
	reasonAnythingButMixed = "Inside anything but list, either all values are number or string, mixed type is not supported" // Event Ruler
	reasonAnythingButFold  = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."      // recorded
	reasonAnythingButName  = "Anything-But expression name not found"                                                        // Event Ruler
	reasonNullAffix        = "Null prefix/suffix not allowed"                                                                // recorded
	reasonNullPrefix       = "Null prefix not allowed"                                                                       // Event Ruler before suffix (SNS)
	reasonAffixString      = "prefix/suffix match pattern must be a string"                                                  // recorded
	reasonPrefixString     = "prefix match pattern must be a string"                                                         // recorded
	reasonSuffixString     = "suffix match pattern must be a string"                                                         // recorded
	reasonFoldString       = "equals-ignore-case match pattern must be a string"                                             // recorded
	reasonWildcardString   = "wildcard match pattern must be a string"                                                       // recorded
	reasonExactString      = "exact match pattern must be a string"                                                          // Event Ruler
	reasonExists           = "exists match pattern must be either true or false."                                            // recorded (SNS)
	reasonPrefixName       = "Prefix expression name not found"                                                              // Event Ruler
	reasonSuffixName       = "Suffix expression name not found"                                                              // Event Ruler
	reasonBottomTop        = "Bottom must be less than top"                                                                  // recorded (SNS)
	reasonOrArray          = "It must be an Array followed with $or."                                                        // Event Ruler
	reasonOrObject         = "Only JSON object is allowed in array of $or relationship."                                     // Event Ruler
	reasonOrTwo            = "There must have at least 2 Objects in $or relationship."                                       // Event Ruler
	// reasonTooComplex is EventBridge's answer to a pattern whose
	// wildcards are too costly to match (recorded, and quoted in public
	// Terraform code).
	reasonTooComplex = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
	// reasonNumberRange is Event Ruler's answer to a number outside
	// -5.0e9..5.0e9 in a numeric or anything-but match, printed as Java
	// prints the double 5e9.
	reasonNumberRange = "Value must be between -5.0E9 and 5.0E9, inclusive"
	// reasonOrCombinations is Vigil's wording for an EventBridge pattern
	// whose $or make more than 1000 rules; the guide documents the limit
	// but not AWS's message.
	reasonOrCombinations = "The use of $or results in %d rule combinations, more than the limit of 1000"
	// SNS's reasons for its own limits (recorded).
	snsNestedReason = "Filter policy scope MessageAttributes does not support nested filter policy"
	snsTooComplex   = "Filter policy is too complex"
	snsTooManyKeys  = "Filter policy can not have more than 5 keys"
)

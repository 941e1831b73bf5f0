package returned

import "strings"

// Reason is why a recipient failed, in words a sender can act on.
type Reason string

// Reasons. Only ReasonUserUnknown and ReasonHostUnknown are about the
// address itself (see Hard); every other one depends on the sender, the
// message or the moment, and is soft.
const (
	ReasonUserUnknown Reason = "user_unknown"      // no such mailbox, or it moved away
	ReasonHostUnknown Reason = "host_unknown"      // no such domain, no MX, or a null MX
	ReasonMailboxFull Reason = "mailbox_full"      // over quota
	ReasonTooLarge    Reason = "message_too_large" // the message exceeds a size limit
	ReasonBlocked     Reason = "blocked"           // the sending IP or domain's reputation (blocklists, PTR)
	ReasonSpam        Reason = "spam"              // the content was judged spam
	ReasonPolicy      Reason = "policy"            // refused by the receiver's rules
	ReasonAuth        Reason = "auth_failure"      // SPF, DKIM or DMARC failed
	ReasonRateLimited Reason = "rate_limited"      // too many connections, messages or recipients
	ReasonExpired     Reason = "expired"           // the queue gave up, or the message is delayed
	ReasonNetwork     Reason = "network_error"     // connection, DNS or routing trouble
	ReasonRelayDenied Reason = "relay_denied"      // the server is not a relay for that domain
	ReasonSuspended   Reason = "suspended"         // the mailbox exists but is disabled or inactive
	ReasonVirus       Reason = "virus"             // malware found in the message
	ReasonOther       Reason = "other"
	ReasonComplaint   Reason = "complaint"  // a feedback-loop report (not a failure)
	ReasonAutoReplied Reason = "auto_reply" // an RFC 3834 answer (not a failure)
)

// textRules are tried in order on the lower-cased diagnostic text; the
// first that matches names the reason. The order settles the texts that
// say two things: a virus or an authentication failure is what matters
// even in a "rejected" reply, a full mailbox is not an unknown one, and
// "user unknown" beats the "rejected" or "policy" wrapped around it.
var textRules = []struct {
	reason Reason
	re     matcher
}{
	{ReasonVirus, re(`virus|malware|infected|trojan|worm found|harmful content`)},
	{ReasonAuth, re(`\bspf\b|sender policy framework|\bdkim\b|domainkeys|\bdmarc\b|5\.7\.2[0-7]\b|` +
		`not authenticated|unauthenticated (?:email|mail)|authentication (?:check|failure|failed|results)|` +
		`does not pass (?:authentication|spf|dkim)|fails? to authenticate|sender (?:address )?(?:is )?not authori[sz]ed`)},
	{ReasonRelayDenied, re(`relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed))|not (?:permitted|allowed|authori[sz]ed) to relay|` +
		`unable to relay|cannot relay|relaying (?:mail )?(?:to .* )?(?:is )?(?:not allowed|denied|prohibited)|we do not relay|no relaying|open relay|relay not`)},
	{ReasonPolicy, re(`sender (?:address |domain )?(?:rejected|refused|denied|invalid|is invalid|not allowed|verify failed|verification failed)|` +
		`grey-?list|from: domain is invalid|sender domain (?:is )?(?:invalid|unknown|not)|not (?:a )?member|envelope sender|mail from (?:rejected|refused)`)},
	{ReasonOther, re(`procmail|maildrop|mail\.local|command died|couldn't create|cannot create|unable to create|mailer error|local delivery failed|on hold`)},
	{ReasonMailboxFull, re(`mailbox (?:is )?full|mail ?box (?:is )?(?:over|exceeded|at) (?:its )?(?:quota|capacity|limit)|over ?quota|quota (?:exceeded|full|violation)|` +
		`exceed(?:s|ed)? (?:the |their |its |his |her )?(?:storage|quota|mailbox size)|insufficient (?:disk |storage )?(?:space|storage)|` +
		`mailbox size limit|full mailbox|inbox is full|mailfolder is full|account is full|out of (?:storage|disk) space|disk quota|` +
		`user has (?:too many messages|exceeded)|storage (?:quota|limit|allocation)|mailbox has exceeded|not enough (?:storage|space)|too much mail|is over (?:its|the|their) (?:quota|storage)`)},
	{ReasonTooLarge, re(`message (?:is )?too (?:large|big)|too (?:large|big) for|message size (?:exceeds|limit|too)|size limit|exceeds (?:the )?(?:maximum|max) (?:message )?size|` +
		`message length exceeds|(?:message|mail) exceeds|maximum (?:message )?size|message too long|exceeded the maximum size|size (?:of the message )?exceeds`)},
	{ReasonSuspended, re(`suspend|disabled|deactivated|inactive|not active|no longer active|account (?:is )?(?:locked|closed|blocked|frozen|expired)|` +
		`mailbox (?:is )?(?:locked|closed|frozen)|account has been (?:closed|terminated)|temporarily unavailable account|user account is unavailable|` +
		`this account is not|account unavailable`)},
	{ReasonHostUnknown, re(`(?:^|[ :;(])[a-z0-9-]+(?:\.[a-z0-9-]+)+ (?:does not exist|doesn't exist|not found)|host (?:or domain name )?not found|unknown host|host unknown|no such host|domain (?:name )?not found|no such domain|` +
		`domain (?:does not|doesn't) exist|(?:unrout(?:e)?able|unknown|invalid|non-?existent) (?:mail )?domain|` +
		`(?:mx|dns) (?:record|lookup|type 'mx').*(?:not found|failed|no|nxdomain)|no mx|null mx|nxdomain|name or service not known|` +
		`couldn't find any host|could not be found|couldn't be found|does not accept mail|doesn't receive email|no smtp service|` +
		`domain (?:is )?(?:not valid|invalid|unknown)|unrouteable address|no route for|unable to route|mail for .* loops back|` +
		`all relevant mx records point to non-existent hosts|name service error|host lookup (?:did not complete|failed)`)},
	{ReasonUserUnknown, re(`user(?:name)? (?:is )?unknown|unknown (?:user|recipient|local[- ]?part|mailbox|account|alias)|unknown address(?:$|[^ e]| [^e])|no such (?:user|recipient|mailbox|address|account|local user|person)|` +
		`(?:user|recipient|mailbox|address|account|addressee) (?:was |is )?(?:not found|not exist|does not exist|doesn't exist|unknown|invalid|not valid|not known|rejected|not listed)|` +
		`(?:invalid|bad|illegal|unknown or illegal|non-?existent|inexistent) (?:recipient|user|mailbox|address|destination mailbox|alias)|` +
		`(?:mailbox|address|account) (?:unavailable|not available|does not|doesn't)|does not exist|doesn't exist|not a valid (?:mailbox|user|recipient|address)|` +
		`no mailbox here|recipnotfound|not our customer|not listed in|user not local|undeliverable address|mailbox not found|` +
		`no account by that name|is not a known user|could not deliver mail to this user|` +
		`has moved|no longer (?:available|valid|with|at)|address changed|is no longer|not a recognised|does not have an account|` +
		`destination address (?:not|unknown)|bad recipient|invalid address|unknown e-mail address|there is no one at this address|no valid recipients|` +
		`this user doesn't have a (?:yahoo|ymail|rocketmail|aol|aim|verizon)\.[a-z.]+ account|recipient address rejected: access denied`)},
	{ReasonRateLimited, re(`too many (?:connections|messages|recipients|mails|concurrent|sessions|emails)|rate limit|rate of|throttl|` +
		`exceeded (?:the )?(?:sending|connection|message)? ?(?:rate|limit)|sending (?:rate|quota|limit)|receiving mail at a rate|` +
		`connection (?:rate|limit)|try (?:again )?later|temporarily deferred|please slow down|frequency|too fast|volume`)},
	{ReasonBlocked, re(`black ?list|block ?list|\bdnsbl\b|\brbl\b|spamhaus|spamcop|sorbs|barracuda|listed (?:on|in|at|by)|reputation|` +
		`(?:ip|client|host|address|sender|domain|network)(?: [^ ]+)? (?:is |has been |was )?(?:blocked|banned|refused|rejected|blacklisted|denied|not allowed)|` +
		`(?:reverse|rdns|ptr|reverse dns|dns ptr)(?: record)?|helo|ehlo|your (?:ip|server|host|network)|banned|poor|blocked (?:using|by|for|because|due)|` +
		`access denied|not allowed to send|refused to talk|bad sender|service unavailable; client`)},
	{ReasonSpam, re(`spam|junk|unsolicited|bulk (?:mail|e-?mail)|content (?:filter|rejected|blocked)|message content|looks suspicious|` +
		`suspicious|rejected by (?:the )?(?:content|message) filter|scored too high|phishing|unwanted`)},
	{ReasonExpired, re(`expired|retry time(?:out)? (?:exceeded|expired)|time(?:d)? ?out .* (?:queue|deliver)|could not be delivered within|` +
		`delivery time|has been delayed|not yet been delivered|delayed|will (?:continue|keep) (?:to )?try|gave up|giving up|undelivered for|queue`)},
	{ReasonNetwork, re(`connection (?:refused|reset|timed out|lost|closed|dropped)|timed out|time-?out|network (?:is )?unreachable|no route to host|` +
		`lost connection|could not connect|couldn't connect|unable to connect|cannot connect|connect to .* failed|dns (?:error|failure|server)|` +
		`temporary failure in name resolution|routing loop|mail loop|too many hops|hop count|loop detected|servfail|broken pipe`)},
	{ReasonPolicy, re(`policy|prohibited|not allowed|not permitted|denied|refused|rejected|reject|filtered|administrative|blocked|restricted|` +
		`not accepted|unacceptable|forbidden|is not authorized|only accepts|closed to|sender (?:address )?(?:verify|verification)`)},
}

func re(s string) matcher { return compileMatcher(s) }

// maxClassified bounds the text read for a reason: what a server says
// about one recipient is a few lines, and the rules are many.
const maxClassified = 2048

// reasonOfText returns the reason the text names, "" when none.
func reasonOfText(text string) Reason {
	if text == "" {
		return ""
	}
	if len(text) > maxClassified {
		text = text[:maxClassified]
	}
	lower := strings.ToLower(text)
	for _, r := range textRules {
		if r.re.MatchString(lower) {
			return r.reason
		}
	}
	return ""
}

// reasonOfStatus maps an enhanced code (RFC 3463, RFC 7372, RFC 7505) to a
// reason, "" for a generic or unknown one.
func reasonOfStatus(code string) Reason {
	_, s, d, ok := parseEnhanced(code)
	if !ok {
		return ""
	}
	switch s*1000 + d {
	case 1001, 1003, 1006, 1010: // bad mailbox, bad syntax, moved, Exchange's RecipientNotFound
		return ReasonUserUnknown
	case 1002:
		return ReasonHostUnknown
	case 1007, 1008, 7001, 7000, 7014, 7009:
		return ReasonPolicy
	case 2001, 7013:
		return ReasonSuspended
	case 2002, 3001:
		return ReasonMailboxFull
	case 2003, 3004:
		return ReasonTooLarge
	case 4001, 4002, 4006, 4003:
		return ReasonNetwork
	case 4004:
		return ReasonHostUnknown
	case 4007:
		return ReasonExpired
	case 5003, 7028:
		return ReasonRateLimited
	case 7020, 7021, 7022, 7023, 7024, 7026, 7027, 7008:
		return ReasonAuth
	case 7025, 7606, 7650:
		return ReasonBlocked
	}
	return ""
}

// Classify names the reason of one failure from its enhanced status, its
// SMTP reply code and its diagnostic text. The text wins: the quoted reply
// of the remote server says more than a generic or relayed Status ("Status:
// 5.1.1" over "550 5.7.1 IP blacklisted" is a block). The status decides
// when the text names nothing; the reply code alone says too little.
func Classify(status string, code int, text string) Reason {
	if r := reasonOfText(text); r != "" {
		return r
	}
	if r := reasonOfStatus(status); r != "" {
		return r
	}
	return ReasonOther
}

// Hard tells a failure of the address itself, which no later attempt and no
// other sender would overcome: a failed delivery to an unknown mailbox or
// domain. A temporary (4.x.x) status or a delayed report is never hard,
// whatever the text says, and neither is a block, a filter, a full or a
// suspended mailbox: they depend on the sender, the message or the moment.
func Hard(action, status string, code int, reason Reason) bool {
	if action != "failed" {
		return false
	}
	transient := class(status) == 4 || (status == "" && code >= 400 && code < 500)
	return reason == ReasonUserUnknown || reason == ReasonHostUnknown && !transient
}

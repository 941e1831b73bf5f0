package web

import (
	"context"
	"fmt"

	"github.com/lre-project/lre/core"
)

// ratesView is the delivery-statistics panel of a sender's letters page:
// the sending policy's figures, already formatted.
type ratesView struct {
	Notifications, MailsToday, ComplaintsToday int
	HardPct, BlockPct, ComplaintPct            string
	HardBounces, Blocks, Complaints            int
	Suspended                                  bool
	SuspendedKey                               string // snd_rates_suspended_<reason>
}

// senderRatesView reads the user's rates for the page, for whoever may
// send (an auditor sends nothing, so has none).
func (ui *senderUI) senderRatesView(ctx context.Context, u core.User) (*ratesView, error) {
	if !u.MaySend() {
		return nil, nil
	}
	r, err := ui.svc.Letters.SenderRates(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	pct := func(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }
	v := &ratesView{Notifications: r.Notifications, MailsToday: r.MailsToday, ComplaintsToday: r.ComplaintsToday,
		HardPct: pct(r.HardRate), BlockPct: pct(r.BlockRate), ComplaintPct: fmt.Sprintf("%.2f %%", 100*r.ComplaintRate),
		HardBounces: r.HardBounces, Blocks: r.Blocks, Complaints: r.Complaints, Suspended: r.Suspended}
	if r.Suspended {
		v.SuspendedKey = "snd_rates_suspended_" + r.SuspendedFor
	}
	return v, nil
}

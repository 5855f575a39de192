package registry

import (
	"context"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
)

var _ app.InvoiceGateways = (*Registry)(nil)

// InvoiceGateway is PayPal Invoicing v2 in the site's mode: the offline
// sandbox's in Test mode, PayPal's live REST host with the site's REST app
// credentials in Production (EUNAVAILABLE when none are stored).
func (r *Registry) InvoiceGateway(ctx context.Context) (app.InvoiceGateway, app.Mode, error) {
	site, err := r.Sites.Site(ctx)
	if err != nil {
		return nil, "", err
	}
	var cfg ppinvoice.Config
	if site.Mode == app.ModeTest {
		sb, err := r.Sandbox(ctx)
		if err != nil {
			return nil, "", err
		}
		cfg = sb.InvoicingConfig()
	} else {
		creds, err := app.LoadRESTCredentials(r.Secrets)
		if err != nil {
			return nil, "", err
		}
		cfg = ppinvoice.Config{BaseURL: ppinvoice.LiveBase, ClientID: creds.ClientID, Secret: creds.Secret}
	}
	cfg.BrandName = r.brandName(ctx)
	key := "invoicing|" + string(site.Mode) + "|" + fingerprint(cfg)
	r.mu.Lock()
	defer r.mu.Unlock()
	if gw, ok := r.invoicing[key]; ok {
		return gw, site.Mode, nil
	}
	c, err := ppinvoice.New(cfg)
	if err != nil {
		return nil, "", err
	}
	if r.invoicing == nil {
		r.invoicing = map[string]app.InvoiceGateway{}
	}
	gw := ppinvoice.Gateway{C: c}
	r.invoicing[key] = gw
	return gw, site.Mode, nil
}

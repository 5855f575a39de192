package sandbox

import "testing"

// TestAmountRule checks PayPal's pilot rule on its own, edges included.
func TestAmountRule(t *testing.T) {
	for _, tc := range []struct {
		amt    string
		digits int
		want   rule
	}{
		// V ≤ 1000: approved, whatever the cents.
		{"0.01", 2, ruleApproved},
		{"12.12", 2, ruleApproved},
		{"12.50", 2, ruleApproved},
		{"99.50", 2, ruleApproved},
		{"25.97", 2, ruleApproved},
		{"25.98", 2, ruleApproved},
		{"1000.00", 2, ruleApproved},
		{"5000", 0, ruleApproved},   // ¥5000 is V = 50.00
		{"100000", 0, ruleApproved}, // ¥100000 is V = 1000.00
		{"1012", 0, ruleApproved},   // ¥1012 is V = 10.12
		{"1000.000", 3, ruleApproved},
		// 1000 < V ≤ 2000, whole: V − 1000 is the code.
		{"1012.00", 2, ruleDeclined},
		{"1013.00", 2, ruleReferral},
		{"1014.00", 2, ruleCVV},
		{"1026.00", 2, ruleHeld},
		{"1050.00", 2, ruleInsufficient},
		{"1051.00", 2, ruleOverLimit},
		{"1097.00", 2, ruleReplyLost},
		{"1098.00", 2, ruleDropped},
		{"01012.00", 2, ruleDeclined},
		{"101200", 0, ruleDeclined},
		{"109700", 0, ruleReplyLost},
		{"109800", 0, ruleDropped},
		{"1026.000", 3, ruleHeld},
		// Any other whole V, or a V with cents, in that range: approved.
		{"1000.01", 2, ruleApproved},
		{"1001.00", 2, ruleApproved},
		{"1012.50", 2, ruleApproved},
		{"1012.01", 2, ruleApproved},
		{"101201", 0, ruleApproved},
		{"101250", 0, ruleApproved},
		{"1012.001", 3, ruleApproved},
		{"1099.00", 2, ruleApproved},
		{"1112.00", 2, ruleApproved},
		{"2000.00", 2, ruleApproved},
		{"200000", 0, ruleApproved},
		// V > 2000: declined, as on PayPal's pilot.
		{"2000.01", 2, ruleDeclined},
		{"2001.00", 2, ruleDeclined},
		{"2500.00", 2, ruleDeclined},
		{"3012.00", 2, ruleDeclined},
		{"200001", 0, ruleDeclined},
		{"2000.001", 3, ruleDeclined},
		{"99999999999999999999.00", 2, ruleDeclined},
		{"99999999999999999999", 0, ruleDeclined},
		// Malformed for the currency: no rule (the sale's checks refuse it).
		{"", 2, ruleApproved},
		{"1012", 2, ruleApproved},
		{"1012.0", 2, ruleApproved},
		{"1012.00", 0, ruleApproved},
		{".12", 2, ruleApproved},
		{"-1012.00", 2, ruleApproved},
		{"1,012.00", 2, ruleApproved},
		{"2500.00", 9, ruleApproved},
	} {
		if got := amountRule(tc.amt, tc.digits); got != tc.want {
			t.Errorf("amountRule(%q, %d) = %d, want %d", tc.amt, tc.digits, got, tc.want)
		}
	}
}

func TestPilotHint(t *testing.T) {
	for code, want := range map[string]string{"GBP": "1012.00 GBP", "JPY": "101200 JPY", "HUF": "101200 HUF", "BHD": "1012.000 BHD"} {
		if got := pilotHint(code, 1012); got != want {
			t.Errorf("pilotHint(%s) = %q, want %q", code, got, want)
		}
	}
}

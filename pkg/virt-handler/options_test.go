package virthandler

import "testing"

func TestAdvertisedAddress(t *testing.T) {
	cases := []struct{ advertise, listen, want string }{
		{"", ":8186", ":8186"},
		{"", "0.0.0.0:8186", ":8186"},
		{"", "[::]:8186", ":8186"},
		{"", "127.0.0.1:40001", "127.0.0.1:40001"},
		{"10.0.0.5:9000", ":8186", "10.0.0.5:9000"},
		{"", "127.0.0.1:0", ""},
		{"", "nonsense", ""},
	}
	for _, tc := range cases {
		got, err := AdvertisedAddress(tc.advertise, tc.listen)
		if tc.want == "" {
			if err == nil {
				t.Errorf("(%q, %q) = %q, want an error", tc.advertise, tc.listen, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("(%q, %q) = %q, %v; want %q", tc.advertise, tc.listen, got, err, tc.want)
		}
	}
}

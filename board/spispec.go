package board

import "fmt"

// validateSPI checks an spi bus or a ws2812 strip of a board file; kinds
// holds the kinds of the parts listed before it.
func (p PartSpec) validateSPI(kinds map[string]Kind) []error {
	var errs []error
	switch p.Kind {
	case KindSPI:
		if p.Frequency != 0 && (p.Frequency < MinSPIFrequency || p.Frequency > MaxSPIFrequency) {
			errs = append(errs, fmt.Errorf("part %q: frequency %d Hz, want %d to %d (3200000 for a WS2812 strip)", p.Name, p.Frequency, MinSPIFrequency, MaxSPIFrequency))
		}
		if p.Bus != "" || p.Address != "" {
			errs = append(errs, fmt.Errorf("part %q: an spi bus has no bus or address of its own", p.Name))
		}
	case KindWS2812:
		if k, ok := kinds[p.Bus]; !ok || k != KindSPI {
			errs = append(errs, fmt.Errorf("part %q: bus %q is not an spi part listed before it (a ws2812 strip is driven from an SPI bus's MOSI)", p.Name, p.Bus))
		}
		if p.LEDs < 1 || p.LEDs > MaxStripLEDs {
			errs = append(errs, fmt.Errorf("part %q: leds %d, want a strip of 1 to %d LEDs", p.Name, p.LEDs, MaxStripLEDs))
		}
		if p.Address != "" {
			errs = append(errs, fmt.Errorf("part %q: a ws2812 strip has no address (it hears every transfer on its bus)", p.Name))
		}
	}
	return errs
}

// addSPIPart adds a validated spi bus or ws2812 strip to the board.
func (s *Sim) addSPIPart(p PartSpec) error {
	if p.Kind == KindSPI {
		b := s.AddSPI(p.Name)
		if p.Frequency != 0 {
			return b.SetFrequency(p.Frequency)
		}
		return nil
	}
	_, err := s.AddWS2812(p.Name, s.SimSPIBus(p.Bus), p.LEDs)
	return err
}

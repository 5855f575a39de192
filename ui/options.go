package ui

// options are the choices of a select box or radio group: each value with
// the label shown for it. A screen reads the chosen value through them and
// never compares a translated label itself; the labels are made once, in
// the language of the moment, and looked up only here.
type options[T comparable] struct {
	values []T
	labels []string
}

// newOptions lists values, each shown as label(value).
func newOptions[T comparable](label func(T) string, values ...T) *options[T] {
	o := &options[T]{values: values, labels: make([]string, len(values))}
	for i, v := range values {
		o.labels[i] = label(v)
	}
	return o
}

// Labels are what the widget shows, in the order of the values.
func (o *options[T]) Labels() []string { return append([]string(nil), o.labels...) }

// Label is the label of v, "" when v is not one of the values.
func (o *options[T]) Label(v T) string {
	for i, x := range o.values {
		if x == v {
			return o.labels[i]
		}
	}
	return ""
}

// Value is the value the widget's Selected label stands for; ok is false
// when nothing (or something not listed) is selected.
func (o *options[T]) Value(selected string) (v T, ok bool) {
	for i, l := range o.labels {
		if l == selected {
			return o.values[i], true
		}
	}
	return v, false
}

// ValueOr is Value, with fallback when nothing is selected.
func (o *options[T]) ValueOr(selected string, fallback T) T {
	if v, ok := o.Value(selected); ok {
		return v
	}
	return fallback
}

// Len is the number of values.
func (o *options[T]) Len() int { return len(o.values) }

package uikit

// Options are the choices of a select box or radio group: each value with
// the label shown for it. A screen reads the chosen value through them and
// never compares a translated label itself; the labels are made once, in
// the language of the moment, and looked up only here.
type Options[T comparable] struct {
	values []T
	labels []string
}

// NewOptions lists values, each shown as label(value).
func NewOptions[T comparable](label func(T) string, values ...T) *Options[T] {
	o := &Options[T]{values: values, labels: make([]string, len(values))}
	for i, v := range values {
		o.labels[i] = label(v)
	}
	return o
}

// Labels are what the widget shows, in the order of the values.
func (o *Options[T]) Labels() []string { return append([]string(nil), o.labels...) }

// Label is the label of v, "" when v is not one of the values.
func (o *Options[T]) Label(v T) string {
	for i, x := range o.values {
		if x == v {
			return o.labels[i]
		}
	}
	return ""
}

// Value is the value the widget's Selected label stands for; ok is false
// when nothing (or something not listed) is selected.
func (o *Options[T]) Value(selected string) (v T, ok bool) {
	for i, l := range o.labels {
		if l == selected {
			return o.values[i], true
		}
	}
	return v, false
}

// ValueOr is Value, with fallback when nothing is selected.
func (o *Options[T]) ValueOr(selected string, fallback T) T {
	if v, ok := o.Value(selected); ok {
		return v
	}
	return fallback
}

// Values are the values, in order.
func (o *Options[T]) Values() []T { return append([]T(nil), o.values...) }

// Len is the number of values.
func (o *Options[T]) Len() int { return len(o.values) }

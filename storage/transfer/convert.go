package transfer

import (
	"fmt"
	"strconv"
	"time"
)

// converter turns a value as mattn/go-sqlite3 returns it (int64, float64,
// string, []byte, time.Time, bool or nil) into what pgx writes into a
// column of one PostgreSQL type.
type converter func(any) (any, error)

// converterFor is the converter for a column of information_schema's
// data_type. SQLite keeps TrainPay's times as RFC 3339 text (empty text for none
// where the column is NOT NULL with an empty default), truth values as 0 and 1, and
// ids and money as integers.
func converterFor(dataType string) converter {
	switch dataType {
	case "timestamp with time zone", "timestamp without time zone":
		return toTime
	case "boolean":
		return toBool
	case "bigint", "integer", "smallint":
		return toInt
	case "text", "character varying", "character":
		return toText
	default:
		return func(v any) (any, error) { return v, nil }
	}
}

func toTime(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return v.UTC(), nil
	case []byte:
		return toTime(string(v))
	case string:
		if v == "" {
			return nil, nil // SQLite's "no time"; PostgreSQL's is NULL
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, err
		}
		return t.UTC(), nil
	}
	return nil, fmt.Errorf("a %T", v)
}

func toBool(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return v, nil
	case int64:
		switch v {
		case 0:
			return false, nil
		case 1:
			return true, nil
		}
	}
	return nil, fmt.Errorf("neither 0 nor 1")
}

func toInt(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return v, nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		// SQLite stores text that looks like an integer in an INTEGER
		// column as the integer; text here did not look like one.
		return strconv.ParseInt(v, 10, 64)
	}
	return nil, fmt.Errorf("a %T", v)
}

func toText(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case time.Time:
		// mattn reads a column declared as a time as time.Time; a text
		// column of PostgreSQL's gets it back as SQLite held it.
		return v.UTC().Format(time.RFC3339Nano), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	}
	return nil, fmt.Errorf("a %T", v)
}

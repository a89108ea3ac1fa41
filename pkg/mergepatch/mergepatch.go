package mergepatch

// MapDiff is the merge patch of a string map (labels, activePods): changed
// and added keys with their new values, removed keys as null (a merge patch
// keeps the keys it does not name).
func MapDiff(old, new map[string]string) map[string]interface{} {
	diff := map[string]interface{}{}
	for k, v := range new {
		if ov, ok := old[k]; !ok || ov != v {
			diff[k] = v
		}
	}
	for k := range old {
		if _, ok := new[k]; !ok {
			diff[k] = nil
		}
	}
	return diff
}

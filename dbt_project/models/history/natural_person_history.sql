{{ type2_intervals(ref('natural_person_versions'), 'person_key') }}

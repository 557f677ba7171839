{{ type2_intervals(ref('legal_person_versions'), 'org_key') }}

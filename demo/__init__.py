"""The Skylark Data demo company: a deterministic CRM, activities, usage and a case library."""

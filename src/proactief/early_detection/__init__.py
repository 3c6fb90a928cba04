"""Early detection (vroegsignalering): intake and validation of signals, matching into one
case per household, the work queue, contact attempts and end results, the CBS report."""

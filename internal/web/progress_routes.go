package web

// progressRoutes are the reporting, indicator and bulletin pages and API.
func (s *Server) progressRoutes() []Route { return nil }

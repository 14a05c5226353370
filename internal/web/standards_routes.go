package web

// standardsRoutes are the standards platform's pages and API.
func (s *Server) standardsRoutes() []Route { return nil }
